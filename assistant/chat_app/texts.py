"""What the app itself says, in English and Korean (the assistant's answers come in their own language)."""

from __future__ import annotations

from typing import Literal

UiLanguage = Literal["en", "ko"]

TEXT: dict[UiLanguage, dict[str, str]] = {
    "en": {
        "welcome": "**Journey Assistant** drafts personas and customer journey maps with you, shows them as a "
        "picture, and finds out why a stage underperforms from your own feedback.\n\n"
        "Drop CSV, TSV, XLSX, JSON or JSONL feedback here (up to {mb} MB, {files} files at a time). "
        "{state}",
        "state_empty": "Nothing is stored yet.",
        "state": "Stored: {rows:,} feedback rows; maps: {maps}.",
        "mode": "Running on: {label}",
        "resumed_changed": "This conversation's map has changed since it was last shown here; it is now "
        "at version {version}.",
        "resumed_missing": "The map this conversation used (**{name}**) is no longer saved.",
        # starters
        "starter_draft": "Draft a journey",
        "starter_draft_msg": "Draft a journey map for first-time customers buying running shoes in our online shop, "
        "as-is, with one persona.",
        "starter_diagnose": "Diagnose a stage",
        "starter_diagnose_msg": "Which stage of the current map underperforms, and why?",
        "starter_upload": "Upload feedback",
        "starter_upload_msg": "How do I upload our customer feedback, and what happens to every row?",
        "starter_export": "Export a map",
        "starter_export_msg": "Export the current map as Excel and as a Mermaid diagram.",
        "upload_help": "Drag CSV, TSV, XLSX, JSON or JSONL files onto the chat (or use the paperclip), up to {mb} MB "
        "and {files} files at a time. Every row is accounted for: stored, duplicate, or rejected with its row "
        "number and reason, and the rejected rows can be downloaded.",
        # settings
        "set_language": "Answer language",
        "set_language_auto": "Same as my message",
        "set_language_en": "English",
        "set_language_ko": "한국어",
        "set_language_help": "Auto answers each message in the language it is written in.",
        "set_personas": "Personas to draft",
        "set_personas_help": "Used when a message names no number; a number in the message wins.",
        "set_model": "Model",
        "set_model_help": "The model that answers, where the provider serves several.",
        # the chat's context next to the message box
        "ctx_map": "Map",
        "ctx_data": "Data",
        "ctx_no_map": "No map",
        "ctx_no_map_help": "Pick a saved map, upload a map file, or ask me to draft one",
        "ctx_no_data": "No data",
        "ctx_no_data_help": "Pick a dataset, or upload feedback in this chat",
        "ctx_rows": "{name} ({rows:,} rows)",
        "ctx_all": "All my feedback ({rows:,} rows)",
        "ctx_all_help": "Every dataset stored in your workspace",
        "ctx_pick_label": "Use {label}",
        "ctx_picked": "This chat now works on: {line}",
        "mode_name": "Mode",
        "mode_embedded": "Embedded (offline)",
        "mode_scripted": "Scripted model",
        "mode_compatible": "{model} (server)",
        "mode_cloud": "OpenAI · {model}",
        # uploads
        "refused": "Not ingested: {why}",
        "reading": "Reading {name}…",
        "progress_reading": "Reading {file}: {done:,} rows",
        "progress_phase": "{phase}: {done:,} / {total:,} rows",
        "phase_embedding": "Embedding new rows",
        "phase_indexing": "Indexing for search",
        "phase_labelling": "Labelling feedback",
        "ingest_failed": "Nothing was stored: {why}",
        "accounting": "**Feedback stored.** Every row is accounted for:",
        "col_file": "file",
        "col_read": "read",
        "col_stored": "stored",
        "col_duplicate": "duplicate",
        "col_rejected": "rejected",
        "total": "total",
        "unchanged": "{name} was already ingested unchanged; nothing was re-read.",
        "columns": "Columns used in {name}: {columns}.",
        "rejects_head": "Rejected rows (first {n}; all of them are in the CSV below):",
        "rejects_file": "rejected-rows.csv",
        "after_upload": "Ask for a map, or ask which stage underperforms and why.",
        # maps
        "map_new": "**{title}** · version {version} · {stages} stages, {steps} steps",
        "map_edit": "**{title}** · version {version}: what changed",
        "map_undo": "Undo the last edit",
        "undone": "Undone: **{title}** is back at its previous content (version {version}).",
        "nothing_to_undo": "Nothing to undo: {why}",
        "export_ready": "**{filename}** ({size:,} bytes)",
        "no_map": "There is no map in this conversation yet.",
        "map_gone": "The map **{name}** is not saved any more.",
        # diagnosis
        "quotes_head": "**What customers say about {stage}** ({n} rows, {share} negative)",
        "counter": "counter-evidence: {n} positive comments mention it",
        # turns
        "failed": "Something went wrong while answering ({what}). Your conversation and maps are kept; please try again.",
        "no_embedded_model": "The embedded model is not installed here, so drafting and editing maps need a model "
        "server: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local one (Ollama, vLLM), and restart `journey app`. "
        "Uploads, diagnoses, ideas, search and exports work without it.",
        "elapsed": "{seconds:.0f} s",
        "working": "Working…",
        "thread_files": "Feedback: {names}",
        "footer": "{mode} · {seconds:.1f} s",
        "fallback": "The model's answer did not pass the number check; this is the answer computed from your data.",
        "status": "{text}",
    },
    "ko": {
        "welcome": "**고객 여정 어시스턴트**는 페르소나와 고객 여정 지도를 함께 만들고, 지도를 그림으로 보여 주며, "
        "우리 회사 피드백으로 어느 단계가 왜 부진한지 찾아냅니다.\n\n"
        "CSV, TSV, XLSX, JSON, JSONL 피드백 파일을 여기로 끌어다 놓으세요(파일당 {mb}MB, 한 번에 {files}개까지). "
        "{state}",
        "state_empty": "아직 저장된 데이터가 없습니다.",
        "state": "저장된 피드백 {rows:,}건, 지도: {maps}.",
        "mode": "실행 모드: {label}",
        "resumed_changed": "이 대화의 지도가 마지막으로 표시된 뒤 바뀌었습니다. 지금은 버전 {version}입니다.",
        "resumed_missing": "이 대화에서 쓰던 지도(**{name}**)는 더 이상 저장되어 있지 않습니다.",
        "starter_draft": "여정 지도 만들기",
        "starter_draft_msg": "모바일 앱으로 처음 대출을 신청하는 고객의 현재(As-is) 여정 지도를 페르소나 1명으로 만들어줘.",
        "starter_diagnose": "부진한 단계 진단",
        "starter_diagnose_msg": "지금 지도에서 어느 단계가 가장 부진하고, 왜 그런지 알려줘.",
        "starter_upload": "피드백 올리기",
        "starter_upload_msg": "고객 피드백 파일은 어떻게 올리고, 각 행은 어떻게 처리돼?",
        "starter_export": "지도 내보내기",
        "starter_export_msg": "지금 지도를 엑셀과 Mermaid 다이어그램으로 내보내줘.",
        "upload_help": "CSV, TSV, XLSX, JSON, JSONL 파일을 대화창에 끌어다 놓거나 클립 버튼으로 올리세요(파일당 {mb}MB, "
        "한 번에 {files}개까지). 모든 행은 저장, 중복, 거부(행 번호와 사유 포함) 중 하나로 집계되며, 거부된 행은 "
        "파일로 내려받을 수 있습니다.",
        "set_language": "답변 언어",
        "set_language_auto": "질문과 같은 언어",
        "set_language_en": "English",
        "set_language_ko": "한국어",
        "set_language_help": "자동으로 두면 메시지마다 그 메시지의 언어로 답합니다.",
        "set_personas": "만들 페르소나 수",
        "set_personas_help": "메시지에 숫자가 없을 때 씁니다. 메시지에 숫자가 있으면 그 숫자를 따릅니다.",
        "set_model": "모델",
        "set_model_help": "여러 모델을 제공하는 곳에서 답할 모델을 고릅니다.",
        "ctx_map": "지도",
        "ctx_data": "데이터",
        "ctx_no_map": "지도 없음",
        "ctx_no_map_help": "저장된 지도를 고르거나, 지도 파일을 올리거나, 새로 만들어 달라고 하세요",
        "ctx_no_data": "데이터 없음",
        "ctx_no_data_help": "데이터셋을 고르거나 이 대화에서 피드백 파일을 올리세요",
        "ctx_rows": "{name} ({rows:,}건)",
        "ctx_all": "전체 피드백 ({rows:,}건)",
        "ctx_all_help": "작업 공간에 저장된 모든 데이터셋",
        "ctx_pick_label": "{label} 사용",
        "ctx_picked": "이 대화의 작업 대상: {line}",
        "mode_name": "모드",
        "mode_embedded": "내장 모델 (오프라인)",
        "mode_scripted": "스크립트 모델",
        "mode_compatible": "{model} (서버)",
        "mode_cloud": "OpenAI · {model}",
        "refused": "저장하지 않았습니다: {why}",
        "reading": "{name} 읽는 중…",
        "progress_reading": "{file} 읽는 중: {done:,}행",
        "progress_phase": "{phase}: {done:,} / {total:,}행",
        "phase_embedding": "새 행 임베딩",
        "phase_indexing": "검색 색인",
        "phase_labelling": "피드백 분류",
        "ingest_failed": "아무것도 저장하지 않았습니다: {why}",
        "accounting": "**피드백을 저장했습니다.** 모든 행의 처리 결과:",
        "col_file": "파일",
        "col_read": "읽음",
        "col_stored": "저장",
        "col_duplicate": "중복",
        "col_rejected": "거부",
        "total": "합계",
        "unchanged": "{name} 파일은 이미 같은 내용으로 저장되어 있어 다시 읽지 않았습니다.",
        "columns": "{name}에서 사용한 열: {columns}.",
        "rejects_head": "거부된 행(처음 {n}개, 전체는 아래 CSV 파일):",
        "rejects_file": "rejected-rows.csv",
        "after_upload": "이제 여정 지도를 요청하거나, 어느 단계가 왜 부진한지 물어보세요.",
        "map_new": "**{title}** · 버전 {version} · 단계 {stages}개, 스텝 {steps}개",
        "map_edit": "**{title}** · 버전 {version}: 바뀐 점",
        "map_undo": "마지막 수정 되돌리기",
        "undone": "되돌렸습니다: **{title}** 지도가 이전 내용으로 돌아갔습니다(버전 {version}).",
        "nothing_to_undo": "되돌릴 것이 없습니다: {why}",
        "export_ready": "**{filename}** ({size:,}바이트)",
        "no_map": "아직 이 대화에 지도가 없습니다.",
        "map_gone": "**{name}** 지도는 더 이상 저장되어 있지 않습니다.",
        "quotes_head": "**{stage} 단계에 대한 고객의 말** ({n}건 중 부정 {share})",
        "counter": "반대 근거: 같은 주제를 언급한 긍정 의견 {n}건",
        "failed": "답변 중 문제가 생겼습니다({what}). 대화와 지도는 그대로 있으니 다시 시도해 주세요.",
        "no_embedded_model": "이 설치에는 내장 모델이 없어서 지도를 만들거나 고치려면 모델 서버가 필요합니다. "
        "OPENAI_API_KEY를, 또는 로컬 서버(Ollama, vLLM)라면 OPENAI_BASE_URL을 설정하고 `journey app`을 다시 시작하세요. "
        "피드백 업로드, 진단, 개선 아이디어, 검색, 내보내기는 모델 없이도 됩니다.",
        "elapsed": "{seconds:.0f}초",
        "working": "작업 중…",
        "thread_files": "피드백: {names}",
        "footer": "{mode} · {seconds:.1f}초",
        "fallback": "모델의 답변이 수치 검증을 통과하지 못해, 데이터로 계산한 답변을 보여 드립니다.",
        "status": "{text}",
    },
}

EXPORT_LABELS: dict[str, str] = {
    "json": "JSON",
    "md": "Markdown",
    "csv": "CSV",
    "xlsx": "Excel",
    "mermaid": "Mermaid",
    "html": "HTML",
}


def ui_language(value: str | None) -> UiLanguage:
    """The browser's (or the answer's) language, as one of the two the app speaks."""
    return "ko" if value and value.lower().startswith("ko") else "en"


def t(language: str | None, key: str, **values: object) -> str:
    text = TEXT[ui_language(language)][key]
    return text.format(**values) if values else text
