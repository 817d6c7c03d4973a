"""Every page of the demo in a real browser (issue 14, items 10 and 11).

The pages are the URL conf's: every GET page of ``tests/test_every_url.PAGE_CASES`` (which
fails on a URL without a case, so a new page is covered here on its own), with the demo's ids
filled in. Each page opens in Debian's chromium, logged in as the lead, a KAM, a team member
and a mentor of the same account, in English, Traditional Chinese and Indonesian, and fails on
a server error, a console error, a CSP violation, an element overflowing its container, a
serious or critical axe-core violation, or a control the keyboard cannot reach. Every visit
leaves a full-page screenshot in ``artifacts/screenshots/`` (git-ignored; CI keeps it).

CI's budget: the roles turn with the languages, so every (page, language) and every (page,
role) pair is opened once, not every (page, role, language); axe runs once per (page,
language). ``KAM_BROWSER_FULL=1`` opens the whole product.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.test_every_url import (
    ANYONE,
    KAM,
    LEAD,
    LIST,
    MENTOR,
    OWN,
    PAGE_CASES,
    READ,
    REMARK,
    TEAM,
)

pytestmark = [
    pytest.mark.browser,
    # The served demo is always the embedded SQLite database: the PostgreSQL run would only
    # repeat the same pages.
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="`kam demo` serves the embedded SQLite database; run in the SQLite run",
    ),
]

LANGUAGES = ("en", "zh-hant", "id")
ROLES = ("lead", "kam", "team", "mentor")
FULL = os.environ.get("KAM_BROWSER_FULL") == "1"
SCREENSHOTS = Path(
    os.environ.get("KAM_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
)
WIDTH = 1400

# Who of the four may open a page, by the case's rule in tests/test_every_url.py.
WHO_SEES = {
    READ: ROLES,
    TEAM: ROLES,
    REMARK: ROLES,
    LIST: ROLES,
    ANYONE: ROLES,
    OWN: ROLES,
    KAM: ("lead", "kam"),
    LEAD: ("lead",),
    MENTOR: ("mentor",),
}

# Pages: the GET pages (a case without a body), fragments left out (opened directly they send
# the reader to their page, which is here).
PAGES = sorted(name for name, case in PAGE_CASES.items() if case.body is None and not case.htmx)
# Known failures of pages being rebuilt right now: name -> reason (issue 14 item).
KNOWN: dict[str, str] = {}


# -- the demo's ids ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Demo:
    base: str
    users: dict[str, str]  # role -> username
    ids: dict[str, str]  # a case's template key ("account", "budi", ...) -> the demo's id
    own: dict[str, dict[str, str]]  # role -> template key -> an id of the role's own object
    database: Path


def _uuid(value) -> str:
    return str(uuid.UUID(hex=str(value)))


def demo_ids(database: Path) -> tuple[dict, dict, dict]:
    """The demo's largest account that has a KAM, a team and a mentor, its people and one
    of each object the pages need, read from the served demo's database."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    one = lambda sql, *args: db.execute(sql, args).fetchone()  # noqa: E731
    account_pk, account_id, kam = one(
        """select a.id, a.public_id, u.username from accounts_account a
           join users_user u on u.id = a.owner_id
           where exists (select 1 from accounts_mentorassignment m where m.account_id = a.id)
             and exists (select 1 from accounts_teammembership t join users_user tu
                         on tu.id = t.user_id where t.account_id = a.id and tu.role = 'team')
           order by (select count(*) from relationships_contact c where c.account_id = a.id) desc,
                    a.id limit 1"""
    )
    (team,) = one(
        """select u.username from accounts_teammembership t join users_user u on u.id = t.user_id
           where t.account_id = ? and u.role = 'team' order by u.username limit 1""",
        account_pk,
    )
    (mentor,) = one(
        """select u.username from accounts_mentorassignment m join users_user u
           on u.id = m.mentor_id where m.account_id = ? order by u.username limit 1""",
        account_pk,
    )
    users = {"lead": "lead", "kam": kam, "team": team, "mentor": mentor}
    ids = {"account": _uuid(account_id)}
    queries = {
        "budi": "select public_id from relationships_contact where account_id = ? order by id",
        "plan": "select public_id from plans_plan where account_id = ? order by id",
        "submitted_plan": """select p.public_id from plans_plan p where p.account_id = ? and
            exists (select 1 from plans_planversion v where v.plan_id = p.id and v.number = 1)
            order by p.id""",
        "opportunity": """select public_id from planning_opportunity where account_id = ?
            order by id""",
        "attachment": "select public_id from plans_attachment where account_id = ? order by id",
    }
    for key, sql in queries.items():
        row = one(sql, account_pk)
        if row:
            ids[key] = _uuid(row[0])
    db.close()
    return users, ids, own_jobs(database, users)


def own_jobs(database: Path, users: dict) -> dict[str, dict[str, str]]:
    """Each role's own objects: its login, and the latest job of each kind it started."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    own = {}
    for role, username in users.items():
        own[role] = {"alice": username}
        # The selection and risk job pages show any job of its starter's; the allocation's
        # only an allocation.
        for key, kinds in {"job": "score simulate", "allocate_job": "allocate"}.items():
            row = db.execute(
                """select j.public_id from core_job j join users_user u
                   on u.id = j.created_by_id where u.username = ?
                   and instr(' ' || ? || ' ', ' ' || j.kind || ' ') > 0 order by j.id desc""",
                (username, kinds),
            ).fetchone()
            if row:
                own[role][key] = _uuid(row[0])
    db.close()
    return own


@pytest.fixture(scope="module")
def demo(request) -> Demo:
    # KAM_BROWSER_DEMO=PORT:DATA_DIR checks a demo already running (`kam demo --port PORT`).
    if os.environ.get("KAM_BROWSER_DEMO"):
        port, data_dir = os.environ["KAM_BROWSER_DEMO"].split(":", 1)
    else:
        served = request.getfixturevalue("served_demo")
        port, data_dir = served.port, served.data_dir
    database = Path(data_dir) / "kam.sqlite3"
    users, ids, own = demo_ids(database)
    return Demo(f"http://127.0.0.1:{port}", users, ids, own, database)


def page_url(demo: Demo, name: str, role: str) -> str | None:
    """The page's path for this role, or None when the demo has no object for it."""
    case = PAGE_CASES[name]
    kwargs = {}
    for key, template in case.kwargs.items():
        if isinstance(template, str) and template.startswith("{"):
            ref = template.strip("{}")
            value = demo.own[role].get(ref) or demo.ids.get(ref)
            if value is None:
                return None
            kwargs[key] = value
        elif template == "alice":  # somebody's own page: the role's own
            kwargs[key] = demo.own[role]["alice"]
        else:
            kwargs[key] = template
    path = reverse(name, kwargs=kwargs)
    if case.params:
        path += "?" + "&".join(f"{k}={v}" for k, v in case.params.items())
    return path


# The README's tour: the first screen of these pages, saved in artifacts/screenshots/tour/ on
# every run; copy them into docs/ to refresh the README (page -> role, language, file).
TOUR = {
    "selection:key_accounts": ("lead", "zh-hant", "screenshot.png"),
    "accounts:account_detail": ("kam", "en", "tour-account.png"),
    "relationships:account_detail": ("kam", "id", "tour-relationships.png"),
    "plans:programme": ("lead", "en", "tour-plans.png"),
    "risk:overview": ("lead", "en", "tour-risk.png"),
}


def visits(index: int, roles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(role, language) pairs: every language and every role once, the roles turning with the
    pages so that each role meets each language somewhere; all of them when FULL."""
    if FULL:
        return [(r, lang) for r in roles for lang in LANGUAGES]
    count = max(len(LANGUAGES), len(roles))
    return [(roles[(index + k) % len(roles)], LANGUAGES[k % len(LANGUAGES)]) for k in range(count)]


# -- the browser -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium(chromium_browser):
    return chromium_browser


@pytest.fixture(scope="module")
def sessions(chromium, demo):
    """One logged-in browser context per role, opened when first needed."""
    opened = {}

    def session(role):
        if role not in opened:
            context = chromium.new_context(viewport={"width": WIDTH, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{demo.base}/login/")
            page.fill("#id_username", demo.users[role])
            page.fill("#id_password", "demo")
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert "/login/" not in page.url, f"{demo.users[role]} could not log in"
            opened[role] = page
        return opened[role]

    yield session
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def jobs(demo, sessions):
    """The demo starts no job, so the job pages would have nothing to show: the lead starts a
    risk simulation and the KAM an allocation, each through its page's own form."""
    started = {
        "lead": ("risk:overview", "risk:simulate"),
        "kam": ("priorities:allocation", "priorities:allocation_solve"),
    }
    for role, (page_name, action) in started.items():
        page = sessions(role)
        page.goto(demo.base + reverse(page_name))
        form = page.locator(f"form[action^='{reverse(action)}']")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    demo.own.update(own_jobs(demo.database, demo.users))
    assert demo.own["lead"].get("job") and demo.own["kam"].get("allocate_job")


# What the page shows wrong, measured in the page itself.
OVERFLOWS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    const wide = [...document.body.querySelectorAll('*')].filter(e => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.right > doc.clientWidth + 1; });
    out.push(`the page scrolls sideways to ${doc.scrollWidth}px: ` + wide.slice(0, 3).map(e =>
      `${e.tagName.toLowerCase()}.${e.className} (${e.getBoundingClientRect().width}px)`));
  }
  const scrolls = (e) => /(auto|scroll|hidden|clip)/.test(getComputedStyle(e).overflowX);
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.classList.length ? '.' + [...e.classList].join('.') : '');
  for (const e of document.querySelectorAll('main *')) {
    if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
    if (e.closest('details:not([open]) > :not(summary)')) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    // The nearest box that holds it: its parent, or the scrolling box it sits in.
    let box = e.parentElement;
    while (box && getComputedStyle(box).display === 'contents') box = box.parentElement;
    if (!box || box === document.body) continue;
    let inside = box, clipped = false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a)) { clipped = true; break; }
    }
    const b = box.getBoundingClientRect();
    if (r.right > b.right + 2 && !scrolls(box) && !clipped) {
      out.push(`${name(e)} sticks out of ${name(box)} by ${Math.round(r.right - b.right)}px` +
               ` ("${(e.innerText || '').trim().slice(0, 40)}")`);
    }
    if (out.length > 8) break;
  }
  // Text that spills out of its box (a label too long for its card): the deepest such box.
  const shut = (e) => e.closest('details:not([open]) > :not(summary)');
  const spills = [...document.querySelectorAll('main *')].filter(e => !e.closest('svg') &&
      !shut(e) &&
      e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 2 && !scrolls(e) &&
      !/^(TABLE|THEAD|TBODY|TFOOT|TR)$/.test(e.tagName) &&
      !/^(inline|table|contents)/.test(getComputedStyle(e).display));
  for (const e of spills.filter(e => !spills.some(d => d !== e && e.contains(d))).slice(0, 8)) {
    out.push(`${name(e)} spills ${e.scrollWidth - e.clientWidth}px out of its box` +
             ` ("${(e.innerText || '').trim().slice(0, 40)}")`);
  }
  return out;
}"""

# Controls a person uses: each must be in the tab order, and Tab must walk through them.
CONTROLS = """() => {
  const seen = (e) => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
    '[tabindex]:not([tabindex="-1"]), [data-contact-id], [role=button], [role=tab], ' +
    ':not(form)[hx-get]:not([hx-trigger*=load])' +
    ':not([hx-trigger*=revealed]), :not(form)[hx-post]';
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.getAttribute('name') ? `[name=${e.getAttribute('name')}]` : '') +
      ` "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
  const controls = [...document.querySelectorAll(sel)].filter(e => !e.disabled && seen(e) &&
      !e.closest('details:not([open]) > :not(summary)'));
  controls.forEach((e, i) => { e.__kamIndex = i; });
  window.__kamFocus = [];
  document.addEventListener('focusin', (ev) => {
    window.__kamFocus.push(ev.target.__kamIndex ?? -1); }, true);
  const start = document.createElement('span');
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
  // A date or time field takes a Tab for each of its parts (day, month, year).
  const parts = controls.filter(e => /^(date|time|datetime-local|month|week)$/.test(e.type));
  return {count: controls.length + 3 * parts.length,
          unreachable: controls.filter(e => e.tabIndex < 0).map(name)};
}"""
WALKED = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      ` "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
  const reached = new Set(window.__kamFocus);
  const missed = [...document.querySelectorAll('*')].filter(e => e.__kamIndex !== undefined &&
      e.tabIndex >= 0 && !reached.has(e.__kamIndex) && !(e.type === 'radio' && !e.checked));
  return {sequence: window.__kamFocus, missed: missed.slice(0, 8).map(name)};
}"""
WALK = 150  # Tab presses on CI; KAM_BROWSER_FULL=1 walks every control


def keyboard_misses(page) -> list[str]:
    """Controls out of the tab order, and a Tab walk from the top of the page: it must move
    from control to control (no trap) and, in the full run, reach every one."""
    found = page.evaluate(CONTROLS)
    problems = [f"not reachable with the keyboard: {e}" for e in found["unreachable"][:8]]
    presses = found["count"] + 3 if FULL else min(found["count"] + 3, WALK)
    for _ in range(presses):
        page.keyboard.press("Tab")
    walked = page.evaluate(WALKED)
    sequence = walked["sequence"]
    for i in range(len(sequence) - 3):
        if sequence[i] >= 0 and len(set(sequence[i : i + 4])) == 1:
            problems.append(f"the keyboard is trapped on control {sequence[i]}")
            break
    if FULL or found["count"] + 3 <= WALK:
        problems += [f"Tab never reaches {e}" for e in walked["missed"]]
    return problems


def axe_violations(page, *, contrast: bool) -> list[str]:
    """axe-core's serious and critical violations. Colour contrast, three quarters of axe's
    time on a long page, depends on the stylesheet and not on the language: it is checked in
    a page's first language only (in every one with KAM_BROWSER_FULL=1)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    results = Axe().run(page, options=options)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
            found.append(
                f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): "
                f"{violation['help']}: {targets}"
            )
    return found


def open_page(page, url: str, language: str) -> dict:
    """Open one page and say what is wrong with it."""
    # One cookie for the whole site (path /): a cookie set for the page's own path would
    # stay beside it, and the browser would send both.
    site = "{0.scheme}://{0.netloc}/".format(urlsplit(url))
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    console = []
    listener = lambda m: console.append(m.text) if m.type == "error" else None  # noqa: E731
    errors = lambda e: console.append(f"uncaught: {e}")  # noqa: E731
    page.on("console", listener)
    page.on("pageerror", errors)
    try:
        response = page.goto(url, wait_until="load")
        # The panels a page loads with htmx (hx-trigger="load"): until they have settled.
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
        )
    except PlaywrightError as error:
        if "Download is starting" not in str(error):
            raise
        response = page.context.request.get(url)  # a file: what the browser would save
        return {"status": response.status, "type": response.headers["content-type"], "console": []}
    finally:
        page.remove_listener("console", listener)
        page.remove_listener("pageerror", errors)
    return {
        "status": response.status if response else None,
        "type": (response.headers.get("content-type", "") if response else ""),
        "console": console,
    }


@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_a_browser(name, demo, sessions, jobs, request):
    if name in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name], strict=False))
    case = PAGE_CASES[name]
    roles = WHO_SEES[case.who]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems, opened, axed, keyed = [], 0, set(), False
    tour = TOUR.get(name)
    planned = visits(PAGES.index(name), roles)
    if tour and tour[:2] not in planned:
        planned.append(tour[:2])
    for role, language in planned:
        path = page_url(demo, name, role)
        if path is None:
            continue
        page = sessions(role)
        seen = open_page(page, demo.base + path, language)
        where = f"{path} as {demo.users[role]} in {language}"
        opened += 1
        if seen["status"] != 200:
            problems.append(f"{where}: HTTP {seen['status']}")
            continue
        if "text/html" not in seen["type"]:
            continue  # a download (CSV, SVG, PNG): its status is all a browser shows
        shown = page.evaluate("document.documentElement.lang")
        if shown != language:
            problems.append(f"{where}: the page is in {shown!r}")
        for message in seen["console"]:
            kind = "CSP violation" if "Content Security Policy" in message else "console error"
            problems.append(f"{where}: {kind}: {message[:300]}")
        overflows = page.evaluate(OVERFLOWS)
        if overflows:  # once more when the layout has settled (fonts, late styles)
            page.wait_for_timeout(500)
            overflows = page.evaluate(OVERFLOWS)
        problems += [f"{where}: overflow: {overflow}" for overflow in overflows]
        if language not in axed:
            contrast = FULL or not axed
            axed.add(language)
            problems += [f"{where}: axe: {v}" for v in axe_violations(page, contrast=contrast)]
        if not keyed:
            keyed = True
            problems += [f"{where}: keyboard: {m}" for m in keyboard_misses(page)]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if tour and tour[:2] == (role, language):
            (SCREENSHOTS / "tour").mkdir(exist_ok=True)
            page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
            page.screenshot(path=str(SCREENSHOTS / "tour" / tour[2]))
        page.screenshot(path=str(SCREENSHOTS / f"{slug}--{role}--{language}.png"), full_page=True)
    if not opened:
        pytest.skip(f"the demo has nothing to open {name} with")
    assert problems == [], "\n".join(problems)
