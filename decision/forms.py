from django import forms

from .engine import Question, join_parts, split_parts
from .vocabulary import NOT_SURE, NOT_SURE_LABEL, PART_SEPARATOR


class PartsField(forms.MultipleChoiceField):
    """The parts a system has: ticked boxes (repeated values) or one comma-joined value."""

    def to_python(self, value):
        values = super().to_python(value)
        return list(dict.fromkeys(p for v in values for p in v.split(PART_SEPARATOR) if p))


class StepForm(forms.Form):
    """One wizard question, named after it: radios plus "Not sure", or for the parts question
    checkboxes plus a "Not sure" that cannot be ticked with a part.

    The one check of a submitted answer: views never judge an answer themselves.
    """

    def __init__(self, question: Question, *args, answer: str | None = None, **kwargs):
        if answer is not None:
            kwargs["initial"] = {question.slug: self._initial(question, answer)}
        super().__init__(*args, **kwargs)
        self.question = question
        choices = [(c.slug, c.label) for c in question.choices] + [(NOT_SURE, NOT_SURE_LABEL)]
        if question.multiple:
            self.fields[question.slug] = PartsField(
                label=question.prompt,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "required": "Tick each part your system has, or “Not sure”.",
                    "invalid_choice": "That part is not one of the choices; tick the ones "
                    "your system has.",
                },
            )
        else:
            self.fields[question.slug] = forms.ChoiceField(
                label=question.prompt,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose one of the answers to continue, or “Not sure”.",
                    "invalid_choice": "That answer is not one of the choices; pick one of these.",
                },
            )

    @staticmethod
    def _initial(question: Question, answer: str):
        if question.multiple:
            return [NOT_SURE] if answer == NOT_SURE else split_parts(answer)
        return answer

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get(self.question.slug)
        if self.question.multiple and picked and NOT_SURE in picked and len(picked) > 1:
            self.add_error(
                self.question.slug,
                "Tick the parts your system has, or “Not sure” on its own, not both.",
            )
        return cleaned

    @property
    def field(self):
        return self[self.question.slug]

    @property
    def answer(self) -> str:
        """The stored answer: a choice, "Not sure", or the parts joined in content order."""
        value = self.cleaned_data[self.question.slug]
        if not self.question.multiple:
            return value
        return NOT_SURE if value == [NOT_SURE] else join_parts(self.question, value)
