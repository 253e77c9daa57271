"""The Enrichment page's forms: provider settings, the company CSV upload, the
"look up a domain" box. The secret header's value is write-only."""

from __future__ import annotations

from django import forms

from routing.csv_import.console import UploadForm as CsvUploadForm

from . import domains, httpconfig
from .models import EnrichmentSettings


class EnrichmentSettingsForm(forms.ModelForm):
    headers = forms.CharField(
        label="Headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Accept-Language: en"}),
        help_text='One "Name: value" a line (not secret).',
    )
    secret_value = forms.CharField(
        label="Secret header value",
        required=False,
        help_text="Stored encrypted. Leave blank to keep the stored value.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label="Forget the stored secret", required=False)
    mapping = forms.CharField(
        label="Field mapping",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "name = name\nemployees = metrics.employees"}
        ),
        help_text='One "field = json.path" a line; fields: name, domain, industry, employees, '
        "revenue, country, hq_city, tech.",
    )

    class Meta:
        model = EnrichmentSettings
        fields = [
            "provider",
            "timeout_ms",
            "cache_ttl_days",
            "http_url_template",
            "http_secret_header",
        ]
        labels = {
            "timeout_ms": "Time box (ms)",
            "cache_ttl_days": "Cache answers for (days)",
            "http_url_template": "URL template",
            "http_secret_header": "Secret header name",
        }
        help_texts = {
            "http_url_template": "e.g. https://api.example.com/v2/companies/find?domain={domain}",
            "http_secret_header": "e.g. Authorization (its value below, e.g. Bearer sk_...)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["headers"] = httpconfig.headers_text(self.instance.http_headers)
            self.initial["mapping"] = httpconfig.mapping_text(self.instance.http_mapping)

    def clean(self):
        cleaned = super().clean()
        provider = cleaned.get("provider")
        checks = [
            ("headers", httpconfig.parse_headers, "_headers"),
            ("http_secret_header", httpconfig.check_header_name, "_secret_header"),
        ]
        if provider == "http":
            checks += [
                ("http_url_template", httpconfig.check_template, "_template"),
                ("mapping", httpconfig.parse_mapping, "_mapping"),
            ]
        for name, check, attr in checks:
            try:
                setattr(self, attr, check(cleaned.get(name) or ""))
            except ValueError as exc:
                self.add_error(name, str(exc))
        if (
            provider == "http"
            and cleaned.get("secret_value")
            and not cleaned.get("http_secret_header")
        ):
            self.add_error("http_secret_header", "Name the header that carries the secret.")
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        instance.http_headers = getattr(self, "_headers", {})
        if hasattr(self, "_template"):
            instance.http_url_template = self._template
        if hasattr(self, "_mapping"):
            instance.http_mapping = self._mapping
        if self.cleaned_data.get("clear_secret"):
            instance.http_secret_encrypted = ""
        if self.cleaned_data.get("secret_value"):
            instance.http_secret = self.cleaned_data["secret_value"]
        if commit:
            instance.save()
        return instance


class UploadForm(CsvUploadForm):
    max_mb = 20
    command = "import_companies"
    file = forms.FileField(label="Companies CSV")


class LookupForm(forms.Form):
    domain = forms.CharField(
        label="Domain or email", max_length=254, help_text="e.g. eu.acme.com or nina@acme.com"
    )

    def clean_domain(self):
        value = self.cleaned_data["domain"].strip().lower()
        domain = domains.normalize(value.rsplit("@", 1)[-1])
        if not domains.is_valid(domain):
            raise forms.ValidationError("Give a domain such as acme.com, or an email.")
        return domain
