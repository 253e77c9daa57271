"""Domain facts derivable from an email without any lookup (pure)."""

PERSONAL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr hotmail.com hotmail.co.uk
    hotmail.fr outlook.com live.com msn.com aol.com icloud.com me.com mac.com proton.me
    protonmail.com gmx.com gmx.de gmx.net web.de mail.com yandex.com yandex.ru zoho.com
    fastmail.com hey.com tutanota.com qq.com 163.com 126.com naver.com orange.fr free.fr
    laposte.net libero.it t-online.de comcast.net verizon.net att.net sbcglobal.net""".split()
)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def is_personal_domain(domain: str) -> bool:
    return domain.lower() in PERSONAL_DOMAINS
