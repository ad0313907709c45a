"""Load the demo: three users and the worked example (an article, its claims and the evidence).

The text is the project's own retelling of the seed article; the facts and URLs are those of the
worked example. Claims are tagged, given evidence and reviewed through claims.actions, by the
demo researcher and the demo reviewer, so their history reads as the desk's would. Running it
again changes nothing.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles import actions as article_actions
from articles.models import Article
from claims import actions
from claims.models import Claim, Claimant, Evidence, Rating
from sources import actions as register
from sources.extraction import normalise_text
from sources.models import Outlet, Source
from sources.urlnorm import normalise_url

DEMO_PASSWORD = "demo"  # noqa: S105 - demo users exist only where DEBUG is on
DEMO_USERS = {
    "researcher": {"groups": ["Researcher"]},
    "reviewer": {"groups": ["Reviewer"]},
    "admin": {"groups": ["Source admin"], "is_staff": True, "is_superuser": True},
}

R = Outlet.Reliability
OUTLETS = [
    # name, domain, reliability, notes
    ("DailyBuzzReports", "", R.UNRATED, "Unknown publisher; source of the demo article."),
    ("Kyiv Independent", "kyivindependent.com", R.RELIABLE, "Independent Ukrainian outlet."),
    ("Ukrainska Pravda", "pravda.com.ua", R.RELIABLE, "Ukrainian online newspaper."),
    ("Business Recorder", "brecorder.com", R.NO_CONSENSUS, "Pakistani daily; syndicates Reuters."),
    ("TASS", "tass.com", R.UNRELIABLE, "Russian state news agency: an interested party."),
    ("The Korea Herald", "koreaherald.com", R.RELIABLE, "South Korean English-language daily."),
    ("CNA", "channelnewsasia.com", R.RELIABLE, "Singapore broadcaster; carries AFP copy."),
    ("KBS World", "kbs.co.kr", R.RELIABLE, "South Korean public broadcaster."),
    ("Euromaidan Press", "euromaidanpress.com", R.NO_CONSENSUS, "Ukrainian English-language site."),
]

T = Source.Type
SOURCES = [
    # url, title, type, published
    (
        "https://kyivindependent.com/zelensky-warns-of-increasing-alliance-between-russia-north-korea/",
        "Zelensky warns of a growing Russia–North Korea alliance",
        T.NEWS,
        "2024-10-13",
    ),
    (
        "https://kyivindependent.com/north-korea-preparing-10-000-soldiers/",
        "Zelensky: North Korea preparing 10,000 soldiers for Russia",
        T.NEWS,
        "2024-10-17",
    ),
    (
        "https://www.pravda.com.ua/eng/news/2024/10/20/7480507/",
        "Austin cannot confirm North Korean troops in Ukraine",
        T.NEWS,
        "2024-10-20",
    ),
    (
        "https://www.brecorder.com/news/40326445",
        "Kremlin calls reports of North Korean troops in Ukraine fake (Reuters)",
        T.NEWS,
        "2024-10-10",
    ),
    (
        "https://tass.com/politics/1854537",
        "Kremlin spokesman on reports of North Korean troops",
        T.OFFICIAL,
        "2024-10-10",
    ),
    (
        "https://www.koreaherald.com/view.php?ud=20241008050536",
        "Defence minister: North Korean casualties in Ukraine highly likely",
        T.NEWS,
        "2024-10-08",
    ),
    (
        "https://www.channelnewsasia.com/east-asia/north-korean-soldiers-highly-likely-killed-ukraine-seoul-4665101",
        "Seoul says North Korean soldiers highly likely killed in Ukraine (AFP)",
        T.NEWS,
        "2024-10-08",
    ),
    (
        "https://world.kbs.co.kr/service/news_view.htm?Seq_Code=188305&lang=e",
        "Report: North Korean officers killed in strike near Donetsk",
        T.NEWS,
        "2024-10-07",
    ),
    (
        "https://www.pravda.com.ua/eng/news/2024/10/21/7480651/",
        "Kremlin calls reports on North Korean troops contradictory",
        T.NEWS,
        "2024-10-21",
    ),
    (
        "https://euromaidanpress.com/2024/06/19/russia-and-north-korea-forge-alliance-agreeing-to-mutual-defense-pact/",
        "Russia and North Korea sign a mutual defence pact",
        T.NEWS,
        "2024-06-19",
    ),
]

HEADLINE = "Zelensky Confirms North Korean Soldiers Now Fighting for Russia in Ukraine"
ARTICLE_TEXT = f"""{HEADLINE}

DailyBuzzReports · 14 October 2024

In a video address on Sunday, Ukraine's President Volodymyr Zelensky said that North Korean \
soldiers are now fighting on the Russian side in Ukraine, confirming earlier reports of deepening \
military ties between Moscow and Pyongyang. He described a growing alliance between the two \
countries that now reaches beyond weapons deliveries to North Korean personnel backing Russian \
operations.

Last week, South Korea's defence minister Kim Yong-hyun told a parliamentary session that it was \
"highly likely" North Korean troops had been sent to Ukraine.

Ukrainian media have also reported that a Ukrainian strike in occupied Donetsk killed several \
North Korean officers, a sign of how deeply North Korean forces are now involved.

North Korea has been sending Russia artillery shells and ballistic missiles, and in return \
receives military aid and technology for its nuclear and space programmes. When Vladimir Putin \
visited Pyongyang in June, he and Kim Jong-un agreed to mutual defence commitments.

Zelensky also praised Ukrainian defenders for holding off Russian advances around Donetsk and \
called on allies for more help, including permission to strike deep into Russian territory, which \
the United States has hesitated to give for fear of escalation.
"""

CLAIMANTS = [
    ("Volodymyr Zelensky", Claimant.Kind.PERSON, "President of Ukraine"),
    ("Kim Yong-hyun", Claimant.Kind.PERSON, "Defence minister of South Korea"),
    ("Ukrainian media", Claimant.Kind.ORGANISATION, "Unnamed in the article"),
    ("DailyBuzzReports", Claimant.Kind.ORGANISATION, "The article's publisher"),
]

S = Claim.Status
CLAIMS = [
    {
        "text": "North Korean troops are actively fighting alongside Russian forces in Ukraine.",
        "claimant": "Volodymyr Zelensky",
        "claimed_on": "2024-10-13",
        "status": S.SUBMITTED,
        "tags": ["North Korea", "Russia–Ukraine war"],
        "mentions": [
            HEADLINE,
            "North Korean soldiers are now fighting on the Russian side in Ukraine",
        ],
        "evidence": [
            (
                0,
                Evidence.Stance.CONTEXT,
                "transfer of people",
                "13 October address: speaks of people moving from North Korea to Russia's forces, "
                "not of troops in combat.",
            ),
            (
                1,
                Evidence.Stance.CONTRADICTS,
                "",
                "17 October, Brussels: North Korea is preparing 10,000 soldiers who have not yet "
                "moved to Ukraine or Russia.",
            ),
            (
                2,
                Evidence.Stance.CONTRADICTS,
                "",
                "19 October: the US defence secretary could not confirm the reports.",
            ),
            (3, Evidence.Stance.CONTRADICTS, "", "Kremlin denial; an interested party."),
            (
                4,
                Evidence.Stance.CONTRADICTS,
                "",
                "Russian state media carrying the Kremlin's denial; an interested party.",
            ),
            (8, Evidence.Stance.CONTEXT, "", "The Kremlin calls the reports contradictory."),
        ],
    },
    {
        "text": "South Korea's defence minister Kim Yong-hyun said it was highly likely that "
        "North Korean troops had been sent to Ukraine.",
        "claimant": "Kim Yong-hyun",
        "claimed_on": "2024-10-08",
        "status": S.IN_REVIEW,
        "tags": ["North Korea", "Attribution"],
        "mentions": [
            "South Korea's defence minister Kim Yong-hyun told a parliamentary session that it "
            'was "highly likely" North Korean troops had been sent to Ukraine',
        ],
        "evidence": [
            (
                5,
                Evidence.Stance.SUPPORTS,
                "",
                "At the 8 October hearing Kim called casualties among North Korean officers and "
                "soldiers in Ukraine highly likely: a stronger, different statement.",
            ),
            (6, Evidence.Stance.SUPPORTS, "", "AFP's account of the same hearing."),
        ],
    },
    {
        "text": "A Ukrainian strike in occupied Donetsk killed several North Korean officers.",
        "claimant": "Ukrainian media",
        "claimed_on": "2024-10-04",
        "status": S.SUBMITTED,
        "tags": ["North Korea", "Anonymous sources"],
        "mentions": [
            "a Ukrainian strike in occupied Donetsk killed several North Korean officers",
        ],
        "evidence": [
            (6, Evidence.Stance.SUPPORTS, "", "Seoul considers the casualty reports likely."),
            (
                7,
                Evidence.Stance.SUPPORTS,
                "",
                "Relays the anonymous intelligence account: six officers among more than twenty "
                "killed on 3 October.",
            ),
            (3, Evidence.Stance.CONTRADICTS, "", "The Kremlin denies; an interested party."),
        ],
    },
    {
        "text": "Vladimir Putin and Kim Jong-un agreed mutual defence commitments during "
        "Putin's visit to Pyongyang in June 2024.",
        "claimant": "DailyBuzzReports",
        "claimed_on": "2024-10-14",
        "status": S.PUBLISHED,
        "rating": "True",
        "rationale": "The treaty on a comprehensive strategic partnership, signed in Pyongyang "
        "on 19 June 2024, obliges each side to give military assistance if the other is "
        "attacked (Article 4).",
        "verdict_as_of": "2024-10-14",
        "tags": ["North Korea"],
        "mentions": [
            "When Vladimir Putin visited Pyongyang in June, he and Kim Jong-un agreed to mutual "
            "defence commitments",
        ],
        "evidence": [
            (9, Evidence.Stance.SUPPORTS, "", "Report on the treaty's signing, 19 June 2024."),
        ],
    },
    {
        "text": "North Korea supplies Russia with artillery shells and ballistic missiles and "
        "receives military aid and technology in return.",
        "claimant": "DailyBuzzReports",
        "claimed_on": "2024-10-14",
        "status": S.DRAFT,
        "tags": ["North Korea"],
        "mentions": [
            "North Korea has been sending Russia artillery shells and ballistic missiles, and in "
            "return receives military aid and technology",
        ],
        "evidence": [],
    },
    {
        "text": "The United States has hesitated to let Ukraine strike deep into Russian "
        "territory.",
        "claimant": "DailyBuzzReports",
        "claimed_on": "2024-10-14",
        "status": S.DRAFT,
        "tags": ["Russia–Ukraine war"],
        "mentions": [
            "permission to strike deep into Russian territory, which the United States has "
            "hesitated to give"
        ],
        "evidence": [],
    },
]


def as_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Create the demo users (password 'demo') and the worked example. Idempotent."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates users with a known password, so it refuses to run when "
                "DEBUG is off."
            )
        with transaction.atomic():
            users = self.load_users()
            self.load_example(users)
        self.stdout.write(
            "Demo ready: log in as researcher, reviewer or admin with the password 'demo'."
        )

    def load_users(self) -> dict[str, User]:
        users = {}
        for username, details in DEMO_USERS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": details.get("is_staff", False),
                    "is_superuser": details.get("is_superuser", False),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=details["groups"]))
            users[username] = user
        return users

    def load_example(self, users: dict[str, User]) -> None:
        outlets = {}
        for name, domain, reliability, notes in OUTLETS:
            lookup = {"domain": domain} if domain else {"name": name, "domain": ""}
            outlets[name] = Outlet.objects.filter(**lookup).first() or register.add_outlet(
                by=users["admin"], name=name, domain=domain, reliability=reliability, notes=notes
            )
        sources = []
        for url, title, kind, published in SOURCES:
            source = Source.objects.filter(url=normalise_url(url)).first()
            if source is None:
                source = register.add_source(
                    by=users["researcher"],
                    url=url,
                    title=title,
                    type=kind,
                    published_on=as_date(published),
                    accessed_on=datetime.date(2024, 10, 22),
                )
            sources.append(source)

        article = Article.objects.copy_of(url="", text=normalise_text(ARTICLE_TEXT))
        if article is None:
            article = article_actions.add_article(
                by=users["researcher"],
                title=HEADLINE,
                outlet=outlets["DailyBuzzReports"],
                authors="DailyBuzzReports staff",
                published_on=datetime.date(2024, 10, 14),
                language="en",
                text=ARTICLE_TEXT,
            )

        researcher = users["researcher"]
        claimants = {
            name: Claimant.objects.filter(name=name).first()
            or actions.save_claimant(
                None, name=name, kind=kind, description=description, by=researcher
            )
            for name, kind, description in CLAIMANTS
        }
        for spec in CLAIMS:
            self.load_claim(spec, article, claimants, sources, users)

    def load_claim(self, spec, article, claimants, sources, users) -> None:
        """Tag, gather evidence and take the claim through the review, as the desk would."""
        if Claim.objects.filter(text=spec["text"]).exists():
            return  # a claim already loaded (or since edited by a user) is left as it is
        researcher, reviewer = users["researcher"], users["reviewer"]
        first, *more = spec["mentions"]
        start = article.text.index(first)
        claim = actions.tag_claim(
            article,
            start=start,
            end=start + len(first),
            text=spec["text"],
            claimant_name=claimants[spec["claimant"]].name,
            claimed_on=as_date(spec["claimed_on"]),
            tags=spec["tags"],
            by=researcher,
        ).claim
        for quote in more:
            start = article.text.index(quote)
            actions.add_mention(claim, article, start=start, end=start + len(quote), by=researcher)
        for source_index, stance, excerpt, note in spec["evidence"]:
            actions.add_evidence(
                claim,
                source=sources[source_index],
                stance=stance,
                excerpt=excerpt,
                note=note,
                by=researcher,
            )
        status = spec["status"]
        if status == Claim.Status.DRAFT:
            return
        actions.submit_for_review(claim, by=researcher)
        if status == Claim.Status.SUBMITTED:
            return
        actions.start_review(claim, by=reviewer)
        if status == Claim.Status.PUBLISHED:
            actions.publish_verdict(
                claim,
                by=reviewer,
                rating=Rating.objects.get(label=spec["rating"]),
                rationale=spec["rationale"],
                as_of=as_date(spec["verdict_as_of"]),
                without_evidence=not spec["evidence"],
            )
