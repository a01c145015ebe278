"""The cost estimate's inputs as a GET form: one field per input of decision.costs.

Values the visitor leaves out take what the content and their answers suggest, so a link with
one parameter (`?requests_per_month=50000000`) is a whole estimate. The cost page, the result
page and `estimate_cost` all check inputs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django import forms

from . import costs
from .content.schema import ComparisonSchema
from .estimates import Suggested, inputs_from, priced_options


def _number_field(item: costs.Input, label: str | None = None) -> forms.Field:
    kind = forms.IntegerField if item.whole else forms.FloatField
    unit = f" ({item.unit})" if item.unit else ""
    return kind(
        label=(label or item.label) + unit,
        min_value=item.minimum,
        max_value=item.maximum,
        help_text=item.help,
        widget=forms.NumberInput(attrs={"step": "1" if item.whole else "any"}),
        error_messages={"invalid": "Enter a number, like 10000000 or 0.5."},
    )


class EstimateForm(forms.Form):
    def __init__(
        self,
        content: ComparisonSchema,
        suggested: Suggested,
        query: Mapping[str, str] | None = None,
    ):
        self.content = content
        self.suggested = suggested
        self.options = priced_options(content)
        # Only the inputs named in the query are the visitor's; the rest are suggested.
        given = {name: query[name] for name in query or {} if name in self.names()}
        data = {name: str(_plain(value)) for name, value in suggested.values.items()} | given
        super().__init__(data, auto_id="estimate-%s")
        self.edited = set(given)
        for item in costs.INPUTS:
            if item.name == "free_tier":
                self.fields[item.name] = forms.TypedChoiceField(
                    label=item.label,
                    choices=[("1", "Yes"), ("0", "No")],
                    coerce=int,
                    help_text=item.help,
                )
            else:
                self.fields[item.name] = _number_field(item)
        names = {option.slug: option.name for option in content.options}
        for option in self.options:
            self.fields[costs.HOURS_PREFIX + option] = _number_field(
                costs.HOURS, f"People's hours a month for {names[option]}"
            )
        self.fields[costs.NODE_TYPE] = forms.ChoiceField(
            label="Kubernetes node type",
            choices=[
                (plan.name, [(node.slug, _node_label(node)) for node in plan.nodes])
                for _, plan in content.plans()
                if plan.nodes
            ],
            help_text="Other clouds' plans use their node closest in size.",
        )

    def names(self) -> set[str]:
        return {
            *costs.INPUT_NAMES,
            costs.NODE_TYPE,
            *(costs.HOURS_PREFIX + option for option in self.options),
        }

    def inputs(self) -> costs.Inputs:
        """The checked inputs (call is_valid first)."""
        return inputs_from(self.cleaned_data, self.options)

    def values(self) -> dict[str, float | str]:
        """Every input's value as checked, for a permalink or the command's JSON."""
        return {name: self.cleaned_data[name] for name in self.fields}

    def query(self) -> str:
        """A permalink's query: every input, in form order, numbers without a trailing .0."""
        return urlencode({name: _plain(value) for name, value in self.values().items()})

    def origin(self, name: str) -> str:
        """Where an input's value came from, in words."""
        if name in self.edited:
            return "yours"
        return self.suggested.origins.get(name, "")

    def rows(self) -> list[tuple[forms.BoundField, str]]:
        """Each field with where its value came from."""
        return [(self[name], self.origin(name)) for name in self.fields]


def _node_label(node) -> str:
    return f"{node.name}: {node.vcpu:g} vCPU, {node.memory_gib:g} GiB, ${node.price.amount:g}/h"


def _plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value
