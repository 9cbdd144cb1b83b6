"""Messages whose keys start with ``audit.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "audit.id": {"vi": "Số", "en": "No."},
    "audit.at": {"vi": "Thời điểm (UTC)", "en": "Time (UTC)"},
    "audit.user": {"vi": "Người thực hiện", "en": "User"},
    "audit.action": {"vi": "Thao tác", "en": "Action"},
    "audit.submission_id": {"vi": "Lần nộp", "en": "Submission"},
    "audit.unit": {"vi": "Đơn vị", "en": "Unit"},
    "audit.period": {"vi": "Kỳ", "en": "Period"},
    "audit.source_sha256": {"vi": "SHA-256 tệp nguồn", "en": "Source file SHA-256"},
    "audit.detail": {"vi": "Chi tiết", "en": "Detail"},
    "audit.download": {"vi": "Tải nhật ký (CSV)", "en": "Download the log (CSV)"},
}
