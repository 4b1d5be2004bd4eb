"""Sign-up, as allauth's, with one more answer: two newcomers who ask at the same instant for
names that look alike both pass the form's check, and the stored skeletons' unique constraint
refuses the second (members.names). That one is told on the form, not given a 500."""

from allauth.account.views import SignupView
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

TAKEN_MEANWHILE = _("Someone has just taken this name, or one that looks like it: choose another.")


class JoinView(SignupView):
    def form_valid(self, form) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            form.add_error("username", TAKEN_MEANWHILE)
            return self.form_invalid(form)
