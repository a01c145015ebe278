from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Comparison
from .structured_data import faq_page
from .tables import dimension_rows


@require_GET
def index(request):
    comparisons = Comparison.objects.prefetch_related("options")
    return render(request, "decision/index.html", {"comparisons": comparisons})


@require_GET
def comparison_detail(request, slug):
    comparison = get_object_or_404(Comparison.objects.with_page_content(), slug=slug)
    options = list(comparison.options.all())
    faq = list(comparison.faq_entries.all())
    return render(
        request,
        "decision/comparison.html",
        {
            "comparison": comparison,
            "options": options,
            "rows": dimension_rows(comparison.dimensions.all(), options),
            "faq": faq,
            "faq_data": faq_page(faq),
        },
    )
