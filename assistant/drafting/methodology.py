"""A draft from the methodology alone, for a brief no reference journey is close to and no model to write
one: the lifecycle every journey map starts from (aware → consider → start → first use → get help →
stay or leave), two steps a stage, with a stage-specific KPI from the methodology notes. Everything here
is a generic inference, marked `model`, and the map's notes say the library had nothing close."""

from __future__ import annotations

from typing import Any

from assistant.drafting.adapt import extra_persona
from assistant.drafting.brief import BriefFacts, brief_problem, short_title
from journey_tools.language import Language

# (stage, goal, KPI name, KPI definition, [(action, touchpoint, channel, thoughts, emotion, label,
#   front, back)], pain point, opportunity)
_EN: list[tuple[Any, ...]] = [
    (
        "Become aware",
        "Understand that there is an option that could solve the need",
        "Reach of qualified visitors",
        "New visitors from the target segment per week",
        [
            (
                "Notices the need and searches for options",
                "Search results and reviews",
                "web",
                "Is there something that fits my situation?",
                0,
                "curious",
                "Search listing and review pages describe the offer in plain words",
                "Search marketing and review monitoring",
            ),
            (
                "Hears about the provider from someone they trust",
                "Friends, forums and social posts",
                "social",
                "If people like me use it, it might work for me too.",
                1,
                "hopeful",
                "Community answers and shared stories",
                "Referral programme and social listening",
            ),
        ],
        "Offers are hard to compare: prices and conditions are hidden until late",
        "Show the real price and the main conditions up front",
    ),
    (
        "Compare and decide",
        "Choose an option with confidence",
        "Consideration-to-start rate",
        "Visitors who start sign-up ÷ visitors who viewed the offer details",
        [
            (
                "Compares options, prices and conditions",
                "Product and pricing pages",
                "web",
                "Which of these is really cheaper once everything is added?",
                -1,
                "unsure",
                "Comparison table and worked examples",
                "Pricing rules and content management",
            ),
            (
                "Asks a question before deciding",
                "Chat or call centre",
                "chat",
                "I just need one straight answer before I commit.",
                0,
                "cautious",
                "An adviser answers with the customer's own case",
                "Knowledge base and adviser scheduling",
            ),
        ],
        "The answer to a simple question takes a long wait",
        "An answer within minutes in chat, with a person when the bot cannot help",
    ),
    (
        "Sign up and start",
        "Get started without repeating information",
        "Sign-up completion rate",
        "Sign-ups completed ÷ sign-ups started",
        [
            (
                "Fills in details and verifies identity",
                "Sign-up form",
                "app",
                "Why do they need all of this again?",
                -1,
                "impatient",
                "A short form that saves progress and explains each field",
                "Identity checks and fraud screening",
            ),
            (
                "Receives confirmation of what was agreed",
                "Confirmation e-mail",
                "email",
                "Good, it's done, and I know what happens next.",
                1,
                "relieved",
                "A clear summary with the next step and a date",
                "Contract records and e-mail delivery",
            ),
        ],
        "Sign-up drops when a document or verification fails without saying why",
        "Tell the customer exactly what failed and let them fix only that",
    ),
    (
        "First use",
        "Get the first result the customer came for",
        "Time to first value",
        "Median days from sign-up to the first completed use",
        [
            (
                "Uses the service for the first time",
                "App or first appointment",
                "app",
                "Let's see if this is what I was promised.",
                0,
                "expectant",
                "Guided first use with tips at the right moment",
                "Onboarding content and activation tracking",
            ),
            (
                "Finds something that does not work as expected",
                "Error or unclear screen",
                "app",
                "This is not how it looked when I signed up.",
                -2,
                "frustrated",
                "A clear message with a way forward",
                "Error monitoring and product fixes",
            ),
        ],
        "The first real use shows a gap between the promise and the service",
        "Check the first use for every new customer and reach out when it fails",
    ),
    (
        "Get help",
        "Solve a problem in one contact",
        "First-contact resolution",
        "Issues solved in the first contact ÷ all issues raised",
        [
            (
                "Contacts support about the problem",
                "Help centre and chat",
                "chat",
                "I hope I don't have to explain this three times.",
                -1,
                "wary",
                "An agent who sees the history and owns the case",
                "Case routing, CRM and escalation",
            ),
            (
                "Gets the problem solved and confirmed",
                "Support reply",
                "email",
                "Finally, and they told me what they changed.",
                1,
                "satisfied",
                "A written confirmation of the fix",
                "Root-cause tagging and follow-up",
            ),
        ],
        "Customers repeat their story to each new agent",
        "One owner per case with the history visible to everyone who picks it up",
    ),
    (
        "Stay or leave",
        "Decide whether to continue, renew or recommend",
        "Retention rate",
        "Customers still active after the first period ÷ customers who started",
        [
            (
                "Reviews whether it was worth it",
                "Statement, bill or renewal notice",
                "email",
                "Am I getting what I pay for?",
                0,
                "reflective",
                "A summary of what the customer got and paid",
                "Billing and usage reporting",
            ),
            (
                "Renews, recommends or cancels",
                "Account settings or renewal page",
                "app",
                "If leaving is hard, I won't come back.",
                1,
                "decided",
                "Easy renewal and an honest, simple way to leave",
                "Retention offers and cancellation handling",
            ),
        ],
        "Renewal terms change without a clear explanation",
        "Explain any change before the renewal date, with the options side by side",
    ),
]

_KO: list[tuple[Any, ...]] = [
    (
        "인지",
        "필요를 해결할 선택지가 있다는 것을 알게 됨",
        "목표 고객 유입 수",
        "목표 세그먼트 신규 방문자 수(주간)",
        [
            (
                "필요를 느끼고 방법을 검색함",
                "검색 결과와 후기",
                "web",
                "내 상황에 맞는 게 있을까?",
                0,
                "궁금함",
                "검색 결과와 후기 페이지가 상품을 쉬운 말로 설명",
                "검색 마케팅과 후기 모니터링",
            ),
            (
                "지인에게 추천을 들음",
                "지인·커뮤니티·SNS",
                "social",
                "나 같은 사람이 쓴다면 나한테도 맞겠지.",
                1,
                "기대됨",
                "커뮤니티 답변과 이용 후기",
                "추천 프로그램과 소셜 리스닝",
            ),
        ],
        "가격과 조건이 늦게 드러나 비교하기 어려움",
        "실제 가격과 주요 조건을 처음부터 보여 주기",
    ),
    (
        "비교·결정",
        "확신을 갖고 선택함",
        "상세 조회 대비 가입 시작률",
        "가입을 시작한 방문자 ÷ 상세 정보를 본 방문자",
        [
            (
                "상품·가격·조건을 비교함",
                "상품·요금 안내 화면",
                "web",
                "다 더하면 어느 쪽이 정말 쌀까?",
                -1,
                "헷갈림",
                "비교표와 계산 예시",
                "요금 규칙과 콘텐츠 관리",
            ),
            (
                "결정 전에 궁금한 점을 문의함",
                "채팅·콜센터",
                "chat",
                "결정하기 전에 딱 한 가지만 확실히 알고 싶어.",
                0,
                "조심스러움",
                "상담원이 고객 상황에 맞춰 답변",
                "지식베이스와 상담 인력 배치",
            ),
        ],
        "간단한 질문에도 답을 받기까지 오래 기다림",
        "채팅으로 몇 분 안에 답하고, 챗봇이 못 하면 상담원이 이어받기",
    ),
    (
        "가입·시작",
        "같은 정보를 반복하지 않고 시작함",
        "가입 완료율",
        "가입 완료 ÷ 가입 시작",
        [
            (
                "정보를 입력하고 본인인증을 함",
                "가입 화면",
                "app",
                "이걸 왜 또 다 입력해야 하지?",
                -1,
                "답답함",
                "진행 상황이 저장되고 항목마다 이유를 알려 주는 짧은 양식",
                "본인확인과 부정 가입 점검",
            ),
            (
                "가입 내용 확인 안내를 받음",
                "확인 메일·알림톡",
                "email",
                "됐다, 다음에 뭘 하면 되는지 알겠네.",
                1,
                "안도",
                "다음 단계와 날짜가 담긴 요약 안내",
                "계약 기록과 발송 시스템",
            ),
        ],
        "서류나 인증이 실패해도 이유를 알려 주지 않아 중도 이탈함",
        "무엇이 실패했는지 정확히 알려 주고 그 부분만 다시 하게 하기",
    ),
    (
        "첫 이용",
        "기대했던 첫 결과를 얻음",
        "첫 가치 도달 시간",
        "가입부터 첫 이용 완료까지 걸린 일수의 중앙값",
        [
            (
                "처음으로 서비스를 이용함",
                "앱·첫 방문",
                "app",
                "약속한 대로인지 한번 보자.",
                0,
                "기대",
                "필요한 순간에 안내가 나오는 첫 이용 가이드",
                "온보딩 콘텐츠와 활성화 추적",
            ),
            (
                "예상과 다르게 동작하는 부분을 발견함",
                "오류·불명확한 화면",
                "app",
                "가입할 때 본 거랑 다르잖아.",
                -2,
                "실망",
                "다음에 할 일을 알려 주는 명확한 안내",
                "오류 모니터링과 개선 배포",
            ),
        ],
        "첫 이용에서 약속과 실제 서비스의 차이가 드러남",
        "신규 고객의 첫 이용을 점검하고 실패하면 먼저 연락하기",
    ),
    (
        "문의·해결",
        "한 번의 문의로 문제를 해결함",
        "첫 문의 해결률",
        "첫 문의에서 해결된 건 ÷ 전체 문의 건",
        [
            (
                "문제를 고객센터에 문의함",
                "도움말·채팅 상담",
                "chat",
                "같은 설명을 세 번 하지 않아도 되면 좋겠다.",
                -1,
                "경계",
                "이력을 보고 끝까지 책임지는 상담원",
                "상담 배분·CRM·이관",
            ),
            (
                "문제가 해결되고 확인 안내를 받음",
                "상담 답변",
                "email",
                "드디어 해결됐고 뭐가 바뀌었는지도 알겠네.",
                1,
                "만족",
                "처리 내용을 적은 확인 안내",
                "원인 분류와 사후 점검",
            ),
        ],
        "상담원이 바뀔 때마다 처음부터 다시 설명해야 함",
        "문의마다 담당자 한 명을 두고 누가 받아도 이력이 보이게 하기",
    ),
    (
        "유지·이탈",
        "계속 이용·갱신·추천할지 결정함",
        "유지율",
        "첫 기간 이후에도 이용 중인 고객 ÷ 시작한 고객",
        [
            (
                "쓴 만큼 가치가 있었는지 돌아봄",
                "명세서·청구서·갱신 안내",
                "email",
                "낸 만큼 받고 있는 걸까?",
                0,
                "따져 봄",
                "이용 내역과 비용을 요약해 보여 줌",
                "청구와 이용 리포트",
            ),
            (
                "갱신·추천 또는 해지를 결정함",
                "계정 설정·갱신 화면",
                "app",
                "해지가 어려우면 다시는 안 올 거야.",
                1,
                "결정함",
                "쉬운 갱신과 정직하고 간단한 해지",
                "유지 혜택과 해지 처리",
            ),
        ],
        "갱신 조건이 설명 없이 바뀜",
        "갱신일 전에 바뀌는 점을 선택지와 함께 나란히 설명하기",
    ),
]

_TEMPLATES: dict[Language, list[tuple[Any, ...]]] = {"en": _EN, "ko": _KO}
_MODEL = {"source": "model"}


HELP_STAGE = 4
"""The generic journey's 'get help' stage: where a problem the brief names is drawn."""


def _keep_the_problem(stages: list[dict[str, Any]], facts: BriefFacts) -> None:
    """The problem the brief names stays in its words: the help stage is named after it and its first step
    carries it as a pain point the user stated (origin `brief`), so a generic draft still says what the
    brief was about ("심사 서류 보완")."""
    problem = brief_problem(facts.text, facts.language)
    if not problem:
        return
    stage = stages[HELP_STAGE]
    stage["name"] = problem[:1].upper() + problem[1:] if facts.language == "en" else problem
    stage["origin"] = {"source": "model", "fields": {"name": "brief"}}
    step = stage["steps"][0]
    stated = f"Customers complain: {problem}" if facts.language == "en" else f"고객 불만: {problem}"
    step["pain_points"] = [
        {"description": stated, "severity": 4, "provenance": "asserted", "origin": {"source": "brief"}},
        *step["pain_points"],
    ]


def methodology_draft(facts: BriefFacts, personas: int) -> dict[str, Any]:
    """Map data for the generic lifecycle in the brief's language, every piece marked `model`."""
    language = facts.language
    stages = []
    for i, (name, goal, kpi, definition, steps, pain, idea) in enumerate(_TEMPLATES[language]):
        drafted = []
        for j, (action, touchpoint, channel, thoughts, score, label, front, back) in enumerate(steps):
            fields: dict[str, str] = {}
            if facts.channel == "app" and channel == "web":
                channel, fields["channel"] = "app", "brief"
            drafted.append(
                {
                    "action": action,
                    "touchpoint": touchpoint,
                    "channel": channel,
                    "phase": "pre" if i < 2 else "during" if i < 4 else "post",
                    "front_stage": front,
                    "back_stage": back,
                    "thoughts": thoughts,
                    "emotion": {"score": score, "label": label},
                    "pain_points": [{"description": pain, "provenance": "inferred", "origin": _MODEL}]
                    if score == min(s[4] for s in steps)
                    else [],
                    "opportunities": [{"description": idea, "origin": _MODEL}] if j == 0 else [],
                    "origin": {"source": "model", "fields": fields},
                }
            )
        stages.append(
            {
                "name": name,
                "goal": goal,
                "steps": drafted,
                "kpis": [
                    {
                        "name": kpi,
                        "definition": definition,
                        "cadence": "Monthly" if language == "en" else "매월",
                        "origin": _MODEL,
                    }
                ],
                "origin": _MODEL,
            }
        )
    _keep_the_problem(stages, facts)
    data: dict[str, Any] = {"stages": stages, "personas": []}
    for k in range(personas):
        data["personas"].append(extra_persona(data, facts, k, language))
    persona_list = data["personas"]
    title = facts.journey or ("Customer journey" if language == "en" else "고객 여정")
    return {
        "title": short_title(title, language) if facts.journey else title,
        "language": language,
        "state": facts.state or "current",
        "journey_type": "problem_resolution" if brief_problem(facts.text, language) else "other",
        "scope": facts.journey or "",
        "personas": persona_list,
        "stages": stages,
        "notes": [],
    }
