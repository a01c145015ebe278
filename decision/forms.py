from django import forms

from .engine import NOT_SURE, NOT_SURE_LABEL, Question


class StepForm(forms.Form):
    """One wizard question: a radio choice named after the question, plus "Not sure"."""

    def __init__(self, question: Question, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields[question.slug] = forms.ChoiceField(
            label=question.prompt,
            choices=[(c.slug, c.label) for c in question.choices] + [(NOT_SURE, NOT_SURE_LABEL)],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose one of the answers to continue, or “Not sure”.",
                "invalid_choice": "That answer is not one of the choices; pick one of these.",
            },
        )

    @property
    def field(self):
        return self[self.question.slug]

    @property
    def answer(self) -> str:
        return self.cleaned_data[self.question.slug]
