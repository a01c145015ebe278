"""The scoping-call form and the "Was this right for you?" vote: the site's only public posts."""

from django.http import Http404


def call(request, slug):
    raise Http404


def vote(request, slug, token):
    raise Http404
