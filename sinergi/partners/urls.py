from django.urls import path

from sinergi.partners import inbox, views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="partner_list"),
    path("new/", views.partner_create, name="partner_create"),
    path("<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
    path("<int:partner_id>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("<int:partner_id>/offers/new/", views.offer_create, name="offer_create"),
    path("<int:partner_id>/staff/new/", views.staff_create, name="staff_create"),
    path(
        "agreements/<int:agreement_id>/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("offers/<int:offer_id>/edit/", views.offer_edit, name="offer_edit"),
    path("matches/", views.match_list, name="match_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("inbox/", inbox.referral_inbox, name="referral_inbox"),
    path("inbox/<int:referral_id>/", inbox.referral_answer, name="referral_answer"),
]
