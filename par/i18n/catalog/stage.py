"""Messages whose keys start with ``stage.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "stage.self": {"vi": "tự chấm", "en": "self"},
    "stage.appraisal": {"vi": "thẩm định", "en": "appraisal"},
}
