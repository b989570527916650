"""Templates ask the permission table (`can("…")`): each role sees the links and buttons it may use."""
import pytest


def _page(as_role, role, url):
    response = as_role(role).get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "keys", "fees", "audit"), [
    ("admin", True, True, True), ("property", True, False, False), ("finance", False, True, False),
    ("manager", True, True, False), ("sales", False, False, False), ("engineering", False, False, False)])
def test_the_top_bar_links_the_desks_each_role_works(world, as_role, role, keys, fees, audit):
    html = _page(as_role, role, "/dashboard")
    assert ('href="/keys"' in html) is keys
    assert ('href="/fees/"' in html) is fees
    assert ('href="/audit/"' in html) is audit
    assert 'href="/dashboard"' in html and 'href="/my/"' not in html


def test_homeowners_and_contractors_get_their_own_top_bar(world, as_role):
    owner = _page(as_role, "owner", "/my/")
    assert 'href="/my/"' in owner and 'href="/dashboard"' not in owner
    contractor = _page(as_role, "contractor", "/contractor/defects")
    assert 'href="/contractor/defects"' in contractor and 'href="/dashboard"' not in contractor


@pytest.mark.parametrize(("role", "payments", "activation"), [
    ("finance", True, False), ("sales", False, True), ("property", False, True), ("engineering", False, False),
    ("admin", True, True)])
def test_the_unit_page_offers_what_the_role_may_do(world, as_role, role, payments, activation):
    html = _page(as_role, role, f"/units/{world.a1.id}")
    assert (f'href="/units/{world.a1.id}/payments"' in html) is payments
    assert (f'/owners/{world.a1.owner_id}/activation-code' in html) is activation


def test_only_a_roles_own_permissions_show_on_the_batch_dashboard(world, as_role):
    new_batch = f'href="/projects/{world.a.id}/batches/new"'
    assert 'href="/projects/new"' in _page(as_role, "admin", "/dashboard")
    assert new_batch in _page(as_role, "manager", "/dashboard")
    manager = _page(as_role, "manager", "/dashboard")
    assert 'href="/projects/new"' not in manager
    assert new_batch not in _page(as_role, "sales", "/dashboard")
