"""Links a page builds from its own address keep what the page knows, never what was sent.

An address is the sender's to fill: anything, of any length the server reads
(a head that arrives whole is read however long). The language switch of every page, the login's way
back to a page and a list's pager keep only the parameters the page declares,
each bounded; nothing else the address carried is written back into a page
or a redirect. Real server, real HTTP.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_staff_account
from testkit.centre_requests import complaint, results
from testkit.centre_routes import pages
from testkit.office_sessions import logged_in

#: What a hostile address carries besides a page's own parameters: one long run, markup,
#: a parameter repeated, a second language.
JUNK = [("x", "A" * 6000), ("utm", "<b>B</b>" * 100), ("x", "again"), ("lang", "fr")]
#: No link a page builds from its address is longer than its own parameters make it.
LINK_MAX = 1200


def _language_link(text: str) -> str:
    found = re.findall(r'<a href="([^"]*)" lang="(?:en|id)">', text)
    assert len(found) == 1, found
    return html.unescape(found[0])


def _sent(link: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(link).query, keep_blank_values=True)


def test_no_pages_language_link_repeats_what_the_address_carried(
    office: RunningCentral, office_db: Database
) -> None:
    """Every office page without a part of its own, public or not, opened by an admin
    with junk in its address: its language link is the page in English, and no more."""
    http, _ = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    shown = []
    with http:
        for method, path, _ in pages():
            if method != "GET" or "{" in path:
                continue
            answer = http.get(f"{office.url}{path}", params=JUNK, timeout=10)
            if 'lang="en">' not in answer.text:
                continue  # not a page of its own (a CSV, a fragment of the counter's page)
            link = _language_link(answer.text)
            shown.append(path)
            assert len(link) < LINK_MAX, (path, len(link))
            assert "AAAA" not in link and "utm" not in link and "again" not in link, path
            assert _sent(link)[-1] == ("lang", "en"), (path, link)
            assert "AAAA" not in answer.text and "&lt;b&gt;B" not in answer.text, path
    assert {"/", "/login", "/counter", "/dashboard", "/booking", "/stats"} <= set(shown), shown


def test_a_pages_own_parameters_ride_along_bounded(
    office: RunningCentral, office_db: Database
) -> None:
    http, _ = logged_in(office.url, new_staff_account(office_db, staff.Role.ADMIN))
    day = dt.date.today().isoformat()
    with http:
        dashboard = http.get(
            f"{office.url}/dashboard",
            params=[("day", day), ("office_id", DEMO_OFFICE), *JUNK],
            timeout=10,
        )
    assert dashboard.status_code == 200
    assert _sent(_language_link(dashboard.text)) == [
        ("day", day),
        ("office_id", DEMO_OFFICE),
        ("lang", "en"),
    ]
    booking = requests.get(
        f"{office.url}/booking",
        params=[("office", DEMO_OFFICE), ("service", "ktp-cetak-ulang"), *JUNK],
        timeout=10,
    )
    assert _sent(_language_link(booking.text)) == [
        ("office", DEMO_OFFICE),
        ("service", "ktp-cetak-ulang"),
        ("lang", "en"),
    ]
    # The login's way back: kept when it is a page of this centre, at most 500 long.
    back = "/dashboard?day=" + day
    login = requests.get(f"{office.url}/login", params={"next": back}, timeout=10)
    assert _sent(_language_link(login.text)) == [("next", back), ("lang", "en")]
    assert f'name="next" value="{html.escape(back)}"' in login.text
    too_long = "/dashboard?day=" + "9" * 600
    login = requests.get(f"{office.url}/login", params={"next": too_long}, timeout=10)
    assert _sent(_language_link(login.text)) == [("lang", "en")]
    assert 'name="next" value="/counter"' in login.text and "9" * 600 not in login.text


def test_the_way_back_after_the_login_keeps_only_the_pages_own_parameters(
    office: RunningCentral,
) -> None:
    day = dt.date.today().isoformat()
    detour = requests.get(
        f"{office.url}/dashboard",
        params=[("day", day), *JUNK[:3], ("lang", "en")],
        allow_redirects=False,
        timeout=10,
    )
    assert detour.status_code == 303
    location = detour.headers["location"]
    assert location.startswith("/login?next=") and len(location) < LINK_MAX
    assert unquote(location.removeprefix("/login?next=")) == f"/dashboard?day={day}&lang=en"
    bare = requests.get(f"{office.url}/counter", params=JUNK[:3], allow_redirects=False, timeout=10)
    assert bare.headers["location"] == "/login?next=%2Fcounter"


def test_a_lists_pager_keeps_its_filters_and_no_other_language(
    office: RunningCentral, office_db: Database
) -> None:
    _, token = new_kiosk(office_db, office.url)
    batch = uuid.uuid4().hex[:6].upper()
    items = []
    for i in range(101):  # one more than a page
        item = complaint(str(uuid.uuid4()), f"Pengaduan nomor {i}.")
        item["body"].update(reference=f"ADU-{batch}-{i:03d}")
        items.append(item)
    assert {r["status"] for r in results(office.url, token, items)} == {"accepted"}
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, _ = logged_in(office.url, clerk)
    with http:
        listed = http.get(
            f"{office.url}/office/complaints",
            params=[("state", "open"), ("q", f"ADU-{batch}"), ("lang", "<i>" * 300)],
            timeout=10,
        )
    assert listed.status_code == 200
    pager = re.search(r'<a rel="next" href="([^"]+)"', listed.text)
    assert pager is not None, listed.text[-2000:]
    link = html.unescape(pager.group(1))
    assert _sent(link) == [("state", "open"), ("q", f"ADU-{batch}"), ("offset", "100")]
    assert "&lt;i&gt;" not in listed.text
