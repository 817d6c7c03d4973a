"""What each demo login may see, on the loaded demo company."""

from __future__ import annotations

from django.contrib.auth import authenticate

from kam.accounts.models import Account
from kam.users.models import User


def test_every_demo_login_works_with_the_demo_password(loaded, db):
    for username in ["lead", "kam1", "kam6", "team1", "team20", "mentor1", "mentor2"]:
        assert authenticate(username=username, password="demo") is not None, username


def test_each_demo_role_sees_exactly_its_accounts(loaded, db):
    lead, kam1, mentor1, team1 = (
        User.objects.get(username=n) for n in ["lead", "kam1", "mentor1", "team1"]
    )
    assert Account.objects.visible_to(lead).count() == Account.objects.count() >= 300
    kam1_sees = set(Account.objects.visible_to(kam1))
    assert kam1_sees and kam1_sees == set(Account.objects.filter(owner=kam1))
    mentored = set(Account.objects.filter(mentors__mentor=mentor1))
    assert mentored and set(Account.objects.visible_to(mentor1)) == mentored
    on_team = set(Account.objects.filter(team__user=team1))
    assert on_team and set(Account.objects.visible_to(team1)) == on_team
