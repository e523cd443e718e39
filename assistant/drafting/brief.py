"""What a drafting brief says, read by code: language, who, which journey, channel, as-is or to-be, how
many personas. A model (when there is one) may read `who` and `journey` better; code never needs it.

Nothing here guesses beyond the brief's words: what the brief does not say stays None and becomes a
stated assumption of the draft (see compose.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from journey_tools.language import Language

ChannelHint = str  # "app", "web" or "store"

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")

_MOBILE = re.compile(
    r"\bmobile\b|\bapps?\b|smart ?phone|\bphone app|\bon (?:my|their|her|his) phone|모바일|앱|어플|스마트폰|휴대폰|핸드폰",
    re.I,
)
_WEB = re.compile(r"\bwebsite\b|\bweb\b|\bonline\b|\bdesktop\b|웹|홈페이지|인터넷|온라인|\bPC\b", re.I)
_STORE = re.compile(
    r"\bin[- ]person\b|\bbranch(?:es)?\b|\bin[- ]store\b|\bat the counter\b|지점|영업점|매장|대면|창구", re.I
)
_FUTURE = re.compile(
    r"\bto-?be\b|\bfuture\b|\bideal\b|\bredesign|\bimproved journey|개선된|개선 후|미래|앞으로의|이상적인|to be\b",
    re.I,
)
_CURRENT = re.compile(r"\bas-?is\b|\bcurrent\b|\btoday\b|\bexisting\b|현재|지금의|as is\b", re.I)
_COUNT_EN = re.compile(r"\b(one|two|three|1|2|3)\s+personas?\b", re.I)
_COUNT_KO = re.compile(
    r"페르소나\s*(?:를|을)?\s*(한|두|세|1|2|3)\s*(?:명|개)|(한|두|세|1|2|3)\s*(?:명|개)의?\s*페르소나"
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3, "한": 1, "두": 2, "세": 3}

_WHO_NOUNS_EN = (
    r"customers?|users?|borrowers?|buyers?|travell?ers?|patients?|guests?|students?|owners?|members?|"
    r"subscribers?|applicants?|drivers?|parents?|employees?|tenants?|renters?|shoppers?|passengers?|people|"
    r"clients?|admins?|administrators?|teams?|managers?|workers?|professionals?|families|freelancers?|sellers?|"
    r"residents?|citizens?|viewers?|policyholders?|claimants?|investors?|homebuyers?|diners?|learners?|"
    r"retirees?|seniors?|gamers?|commuters?|visitors?|donors?|volunteers?|merchants?|developers?|nurses?|"
    r"doctors?|teachers?|accountants?|founders?|startups?|smes?|businesses|companies|households?|pet owners?|"
    # Holders, payers and other role nouns customers are named by ("credit card holders", "taxpayers").
    r"\w*holders?|\w*payers?|consumers?|riders?|callers?|patrons?|readers?|listeners?|fans?|couples?|"
    r"newcomers?|expats?|caregivers?|landlords?|hosts?|vendors?|suppliers?|\w*seekers?|beneficiaries|"
    r"recipients?|pensioners?|savers?|debtors?|graduates?|athletes?|clinicians?|pharmacists?|homeowners?"
)
_WHO_EN = re.compile(
    rf"\b((?:(?:first|1st)[- ]time |new |young |busy |small[- ]business |elderly |returning |loyal |frequent )*"
    rf"(?:[a-z][\w\-]*\s){{0,3}}(?:{_WHO_NOUNS_EN}))\b",
    re.I,
)
# Korean: the phrase right before "의 (고객) 여정" or "여정" names who; its last word is the head noun.
_WHO_KO = re.compile(
    r"([^\s,.]+(?:\s[^\s,.]+){0,6}?)\s*의\s*(?:(?:현재|지금|미래|앞으로의|개선된)\s*(?:\(as-?is\)|\(to-?be\))?\s*)?"
    r"(?:고객\s*)?(?:구매\s*)?여정"
)
_WHO_NOUNS_KO = re.compile(
    r"(직장인|고객|사용자|이용자|회원|학생|대학생|환자|보호자|여행객|승객|투숙객|구매자|소비자|가입자|신청자|"
    r"차주|임차인|세입자|사장님|소상공인|자영업자|부모|엄마|아빠|주부|시니어|어르신|운전자|프리랜서|담당자|관리자|"
    r"개발자|직원|신혼부부|청년|사회초년생|주민|시민|민원인|구독자|시청자|보험 ?가입자|계약자|매수인|임대인)"
)
_GENERIC_WHO = {"customer", "customers", "user", "users", "people", "고객", "사용자", "이용자"}

_LEAD_EN = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+|(?:i|we)(?:'d| would)? (?:like|love)(?: to have| to get| to see)?\s+"
    r"|(?:i|we) (?:want|need)(?: to have| to get| to see)?\s+|give me\s+|help me (?:make|draft|build)\s+|let'?s\s+)?"
    r"(?:(?:draft|map|create|make|build|draw|sketch|design|write|generate)"
    r"\s+)?(?:me\s+|us\s+)?(?:an?\s+|the\s+)?(?:(?:current|future|as-is|to-be)\s+)?(?:customer\s+)?"
    r"(?:journey(?:\s+map)?\b|map\b)?\s*(?:(?:for|of|about)\b)?\s*",
    re.I,
)
_TAIL_KO = re.compile(
    r"\s*(?:의\s*)?(?:고객\s*)?(?:여정|journey)\s*(?:지도|맵|map)?\s*(?:을|를)?\s*(?:좀|하나|한\s?번)?\s*"
    r"(?:그려|만들어|작성해|짜|설계해|그리고|만들고)?\s*(?:줘|주세요|줄래|줄래요|봐|보자|봐줘|요)?[.!?\s]*$"
    # "… 여정 지도가 필요해요 / 만들고 싶어요 / 부탁해요": a wish for a map, not what the map is about.
    r"|\s*(?:의\s*)?(?:고객\s*)?(?:여정|journey)\s*(?:지도|맵|map)?\s*(?:이|가|을|를)?\s*(?:좀|하나|한\s?번)?\s*"
    r"(?:필요해요|필요합니다|필요해|있으면 좋겠어요|만들고 싶어요|그리고 싶어요|부탁해요|부탁합니다|부탁드려요)[.!?\s]*$",
    re.I,
)
_EMPTY_EN = re.compile(
    r"^(?:please|a|an|the|journey|map|customer|draft|make|me|one|new|for|of|my|our|us|something|anything|"
    r"product|app|service|company|business|website|site|team|[.,!?]|\s)*$",
    re.I,
)
_EMPTY_KO = re.compile(r"^(?:고객|여정|지도|하나|새|좀|것|우리|회사|맵|\s)*$")


@dataclass
class BriefFacts:
    text: str
    language: Language
    who: str | None = None
    """The customer the brief names (its words), e.g. 'first-time borrowers' or '모바일 앱으로 … 직장인'."""
    who_head: str | None = None
    """The head noun of `who` when it is a role or occupation, e.g. '직장인', 'nurses'."""
    journey: str | None = None
    """The brief without its request words: what the journey is about, e.g. 'first-time borrowers applying
    for a personal loan on mobile'."""
    channel: ChannelHint | None = None
    state: str | None = None
    """'current' or 'future' when the brief says; None otherwise."""
    personas: int | None = None
    said: list[str] = field(default_factory=list)
    """What the brief said explicitly, in words for the map's notes."""

    @property
    def lacks_who_and_journey(self) -> bool:
        return self.who is None and self.journey is None


def brief_language(text: str, default: Language = "en") -> Language:
    hangul = len(_HANGUL.findall(text))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    if hangul == 0 and latin == 0:
        return default
    return "ko" if hangul * 2 >= latin else "en"


_PERSONA_PHRASE = re.compile(
    r",?\s*(?:and\s+|with\s+)?(?:one|two|three|\d)\s+personas?\b|,?\s*페르소나\s*(?:를|을)?\s*(?:한|두|세|\d)\s*(?:명|개)\S*"
    r"|,?\s*(?:한|두|세|\d)\s*(?:명|개)의?\s*페르소나\S*",
    re.I,
)
_LEADING_WORDS = {"journey", "map", "for", "of", "the", "a", "an", "our", "my", "draft", "about", "customer"}


def _core(text: str, language: Language) -> str | None:
    """The brief without 'draft a journey for' / '여정 지도를 만들어줘'."""
    core = " ".join(_PERSONA_PHRASE.sub("", text).split())
    core = _LEAD_EN.sub("", core, count=1)
    core = _TAIL_KO.sub("", core)
    core = core.strip(" .,!?:;\"'“”")
    empty = _EMPTY_KO if language == "ko" else _EMPTY_EN
    if not core or empty.match(core) or (language == "ko" and _EMPTY_EN.match(core)):
        return None
    return core[:160]


def read_brief(text: str, language: Language | None = None, personas: int | None = None) -> BriefFacts:
    first_line = text.strip().split("\n", 1)[0]
    lang = language or brief_language(text)
    facts = BriefFacts(text=text, language=lang)
    facts.journey = _core(first_line, lang)
    if lang == "ko":
        m = _WHO_KO.search(first_line)
        if m:
            facts.who = m.group(1).strip()
        heads = _WHO_NOUNS_KO.findall(first_line)
        specific = [h for h in heads if h not in _GENERIC_WHO]
        facts.who_head = specific[-1] if specific else None
        if facts.who is None and specific:
            facts.who = specific[-1]
    else:
        candidates = []
        for m in _WHO_EN.finditer(facts.journey or ""):
            words = m.group(1).split()
            while len(words) > 1 and words[0].casefold() in _LEADING_WORDS:
                words.pop(0)
            candidates.append(" ".join(words))
        if candidates:
            facts.who = candidates[0]
            head = candidates[0].split()[-1]
            facts.who_head = None if head.casefold() in _GENERIC_WHO else candidates[0]
    if facts.who and facts.who.casefold() in _GENERIC_WHO:
        facts.who = None
    for line in text.split("\n")[1:]:  # "Persona: …" lines from `journey map --persona`
        if line.casefold().startswith("persona:") and not facts.who:
            facts.who = line.split(":", 1)[1].strip()[:120] or None
    if _MOBILE.search(text):
        facts.channel = "app"
    elif _STORE.search(text):
        facts.channel = "store"
    elif _WEB.search(text):
        facts.channel = "web"
    if _FUTURE.search(text):
        facts.state = "future"
    elif _CURRENT.search(text):
        facts.state = "current"
    m = _COUNT_EN.search(text) or _COUNT_KO.search(text)
    if m:
        word = next(g for g in m.groups() if g)
        facts.personas = _NUMBERS[word.casefold()]
    if personas:
        facts.personas = max(facts.personas or 1, personas)
    return facts


_PROBLEM_KO = re.compile(
    r"([^\s:,.]+(?:\s[^\s:,.]+){0,3}?)\s*(?:때문에|문제로|(?:이|가)\s*(?:불편|어려워|안\s*돼|막혀|늦어|자꾸))"
)
_PROBLEM_EN = re.compile(
    r"\b(?:complain(?:s|ing)?\s+(?:that|about)|because(?:\s+of)?|due to|struggl(?:e|es|ing)\s+with|"
    r"frustrated\s+(?:by|with)|problems?\s+with|trouble\s+with)\s+([^,.;:!?]{4,80})",
    re.I,
)


def brief_problem(text: str, language: Language) -> str | None:
    """The problem the brief names in its own words ("심사 서류 보완 때문에 불만이 많은" → "심사 서류 보완",
    "customers complain that checkout keeps failing" → "checkout keeps failing"), or None."""
    m = (_PROBLEM_KO if language == "ko" else _PROBLEM_EN).search(text)
    if not m:
        return None
    phrase = " ".join(m.group(1).split()).strip(" .,'\"")
    return phrase[:60] or None


TITLE_CHARS = 80
"""A map's title is also its name in the map list (120 characters at most): the brief's first clause,
cut at a word."""


def short_title(core: str, language: Language) -> str:
    """The brief's core as a title: its first clause ("…, as it works today: from … to …" goes to the map's
    notes through the span it names) within TITLE_CHARS, capitalised in English, ending in 여정 in Korean."""
    core = core.strip()
    if language == "ko" and "여정" in core:  # "… 직장인의 현재 여정 중에서 심사부터 …": the journey it names
        core = core[: core.index("여정") + 2]
    head = re.split(r"\s*[:;(]\s*|,\s+|\s+[-–—]\s+", core, maxsplit=1)[0]
    title = head if len(head) >= 12 else core
    if len(title) > TITLE_CHARS:
        cut = title[:TITLE_CHARS]
        title = cut[: cut.rfind(" ")] if " " in cut[20:] else cut
    title = title.rstrip(" ,.;:")
    if language == "en":
        return title[:1].upper() + title[1:]
    if not title.endswith("여정"):
        title += "의 여정" if re.search(r"[\uac00-\ud7a3]$", title) else " 여정"
    return title
