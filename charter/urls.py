from django.urls import path

from charter import ballot_views, views

app_name = "charter"

urlpatterns = [
    path("", views.charter, name="charter"),
    path("history/", views.history, name="history"),
    path("v/<int:number>/", views.version, name="version"),
    path("diff/", views.diff, name="diff"),
    path("accept/", views.accept, name="accept"),
    path("draft/", views.draft, name="draft"),
    path("draft/edit/", views.edit_draft, name="edit_draft"),
    path("draft/ballot/", views.open_founding_ballot, name="open_founding_ballot"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.new_proposal, name="new_proposal"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("proposals/<int:pk>/edit/", views.edit_proposal, name="edit_proposal"),
    path("proposals/<int:pk>/submit/", views.submit_proposal, name="submit_proposal"),
    path("proposals/<int:pk>/sponsor/", views.sponsor_proposal, name="sponsor_proposal"),
    path("proposals/<int:pk>/withdraw/", views.withdraw_proposal, name="withdraw_proposal"),
    path("ballots/<int:pk>/", ballot_views.ballot, name="ballot"),
    path("ballots/<int:pk>/vote/", ballot_views.vote, name="vote"),
    path("ballots/<int:pk>/count/", ballot_views.votes_cast, name="votes_cast"),
    path("ballots/<int:pk>/record/", ballot_views.ballot_record, name="ballot_record"),
    path("ballots/<int:pk>/box/", ballot_views.ballot_box, name="ballot_box"),
    path("ballots/<int:pk>/trustee/key/", ballot_views.make_trustee_key, name="trustee_key"),
    path("ballots/<int:pk>/trustee/step/", ballot_views.trustee_step, name="trustee_step"),
    path("ballots/<int:pk>/trustee/upload/", ballot_views.trustee_upload, name="trustee_upload"),
    path("ballots/<int:pk>/trustee/<str:name>", ballot_views.trustee_input, name="trustee_input"),
]
