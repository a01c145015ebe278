"""The words every layer shares: reserved slugs, outcome names and the content's limits.

One pure home, so the engine, the content schema, the models and the views never define a
constant twice and the models need not import the content schema.
"""

import re

NOT_SURE = "not-sure"
NOT_SURE_LABEL = "Not sure"
TIE = "tie"  # a dimension's winner when neither option wins

# Outcomes besides an option's slug.
COMBINE = "combine"  # the system's parts land on different options
NO_FIT = "no-fit"  # a part of the system has every option ruled out
NOT_ENOUGH = "not-enough"  # too little evidence to recommend anything
OUTCOMES = frozenset({COMBINE, NO_FIT, NOT_ENOUGH})

# Query-string names the wizard uses for itself, so no question may take them.
RESERVED_QUESTION_SLUGS = frozenset({"step", "from", "return"})
WEIGHT_LIMIT = 10
PART_SEPARATOR = ","  # joins the parts a visitor picked into one stored answer

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z"
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
AS_OF_PATTERN = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])\Z")  # a month: "2026-11"
STALE_AFTER_DAYS = 180  # content health lists facts checked longer ago than this
