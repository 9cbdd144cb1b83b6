"""Messages whose keys start with ``kpi.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "kpi.mean": {"vi": "Chỉ số trung bình", "en": "Mean index"},
    "kpi.best": {"vi": "Cao nhất", "en": "Best"},
    "kpi.worst": {"vi": "Thấp nhất", "en": "Worst"},
    "kpi.provisional": {"vi": "Đơn vị tạm tính", "en": "Provisional units"},
}
