"""Messages whose keys start with ``hist.`` (the submission history, par.present.logs)."""

MESSAGES: dict[str, dict[str, str]] = {
    "hist.id": {"vi": "Số", "en": "No."},
    "hist.unit": {"vi": "Đơn vị", "en": "Unit"},
    "hist.period": {"vi": "Kỳ", "en": "Period"},
    "hist.stage": {"vi": "Giai đoạn", "en": "Stage"},
    "hist.status": {"vi": "Trạng thái", "en": "Status"},
    "hist.row_count": {"vi": "Số dòng", "en": "Rows"},
    "hist.user": {"vi": "Người nộp", "en": "User"},
    "hist.created_at": {"vi": "Thời điểm (giờ Việt Nam)", "en": "Time (Vietnam)"},
    "hist.source_name": {"vi": "Tệp nguồn", "en": "Source file"},
    "hist.sha": {"vi": "SHA-256 (rút gọn)", "en": "SHA-256 (short)"},
    "hist.status_current": {"vi": "hiện hành", "en": "current"},
    "hist.status_superseded": {"vi": "đã thay thế", "en": "superseded"},
    "hist.status_withdrawn": {"vi": "đã rút (đặt lại dữ liệu mẫu)", "en": "withdrawn (sample reset)"},
}
