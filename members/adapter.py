from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class MemberAccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse | None:
        # A banned member is told so, rather than that their password is wrong.
        if getattr(user, "is_banned", False):
            clear_login(request)
            return render(request, "account/banned.html", status=403)
        return super().pre_login(request, user, **kwargs)
