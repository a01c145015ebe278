"""The scoping-call form and the vote form, with the checks that keep scripts out.

No third-party service: a honeypot field that people never see (hidden by a class in our
stylesheet, and out of the tab order) and, on the call form, a minimum time between showing
the form and sending it, carried in a signed field. A form that fails either is a script's:
the view drops it without a word, and answers as if it had been sent.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing

from .models import Lead, Vote

SHOWN_SALT = "decision.lead_forms.shown"


def consent_text() -> str:
    """What the visitor agrees to: what is kept, why, and for how long (the setting's days)."""
    return (
        "I agree that my name, work email, company and message are kept to arrange this call, "
        f"and deleted after {settings.LEAD_RETENTION_DAYS} days."
    )


def single_line(value: str) -> str:
    """One line of text: line breaks and other control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


class TrapMixin(forms.Form):
    """A field only scripts fill in."""

    website = forms.CharField(required=False, label="Leave this empty")

    def is_trapped(self) -> bool:
        return bool(self.data.get("website", "").strip())


class LeadForm(TrapMixin, forms.ModelForm):
    consent = forms.BooleanField(
        error_messages={"required": "Please agree, so that we may keep your details."}
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    result = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = Lead
        fields = ["name", "email", "company", "message"]
        labels = {"name": "Your name", "company": "Company"}
        error_messages = {
            "name": {"required": "Please tell us your name."},
            "email": {
                "required": "Please give an email address we can reply to.",
                "invalid": "That does not look like an email address; please check it.",
            },
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text()
        self.fields["name"].widget.attrs |= {"autocomplete": "name"}
        self.fields["email"].widget.attrs |= {"autocomplete": "email"}
        self.fields["company"].widget.attrs |= {"autocomplete": "organization"}
        self.fields["message"].help_text = "What you run, and what you would like to settle."
        if not self.is_bound:
            self.initial["shown"] = signing.dumps(time.time(), salt=SHOWN_SALT)

    def clean_name(self):
        return single_line(self.cleaned_data["name"])

    def clean_company(self):
        return single_line(self.cleaned_data["company"])

    def too_quick(self, now: float | None = None) -> bool:
        """Sent sooner than a person could fill it in, or without a genuine `shown` stamp."""
        try:
            shown = float(signing.loads(self.data.get("shown", ""), salt=SHOWN_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        now = time.time() if now is None else now
        return now - shown < settings.LEAD_MIN_FILL_SECONDS


class VoteForm(TrapMixin, forms.ModelForm):
    class Meta:
        model = Vote
        fields = ["answer", "comment"]
        labels = {"answer": "Was this right for you?", "comment": "Anything to add?"}
        widgets = {
            "answer": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"answer": {"required": "Please pick yes, partly or no."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = Vote.Answer.choices  # no empty choice
        self.fields["comment"].help_text = (
            "Optional. What fit, or what we missed; please leave out names and emails. "
            f"Kept {settings.LEAD_RETENTION_DAYS} days."
        )
