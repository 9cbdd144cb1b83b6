"""Messages whose keys start with ``hist.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "hist.id": {"vi": "Số", "en": "No."},
    "hist.unit": {"vi": "Đơn vị", "en": "Unit"},
    "hist.period": {"vi": "Kỳ", "en": "Period"},
    "hist.stage": {"vi": "Giai đoạn", "en": "Stage"},
    "hist.status": {"vi": "Trạng thái", "en": "Status"},
    "hist.row_count": {"vi": "Số dòng", "en": "Rows"},
    "hist.user": {"vi": "Người nộp", "en": "User"},
    "hist.created_at": {"vi": "Thời điểm (UTC)", "en": "Time (UTC)"},
    "hist.source_name": {"vi": "Tệp nguồn", "en": "Source file"},
}
