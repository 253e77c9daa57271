"""The public Knock Link page: where a lead starts a chat (the chat funnel's step 1).

`/l/<workspace slug>/<link slug>/` shows a short form; posting it routes the
chat through the same action as the API, with the page's UTMs and referrer.
"""

from django import forms
from django.shortcuts import get_object_or_404, render

from routing import actions
from routing.models import KnockLink

UTM_KEYS = ("source", "medium", "campaign", "term", "content")


class StartChatForm(forms.Form):
    email = forms.EmailField(label="Work email")
    name = forms.CharField(max_length=200, required=False, label="Your name")
    message = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="How can we help?"
    )
    referrer = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


def link_page(request, workspace, slug):
    link = get_object_or_404(
        KnockLink.objects.select_related("workspace"),
        workspace__slug=workspace.lower(),
        slug=slug.lower(),  # slugs are stored lower-case: /l/acme/Webinar-Q4/ finds webinar-q4
        is_active=True,
    )
    utm = {k: request.GET[f"utm_{k}"] for k in UTM_KEYS if request.GET.get(f"utm_{k}")}
    if request.method != "POST":
        form = StartChatForm(initial={"referrer": request.headers.get("Referer", "")})
        return render(request, "public/link.html", {"link": link, "form": form})
    form = StartChatForm(request.POST)
    if not form.is_valid():
        return render(request, "public/link.html", {"link": link, "form": form}, status=400)
    data = form.cleaned_data
    payload = {
        "link": link.slug,
        "lead": {"email": data["email"], "name": data.get("name") or ""},
        "message": data["message"],
        "referrer": data.get("referrer") or "",
        "utm": utm,
        "session": {"page_url": request.build_absolute_uri()},
    }
    routed = actions.route_chat(link.workspace, payload)
    return render(request, "public/link_done.html", {"link": link, "routed": routed})
