"""Messages whose keys start with ``nav.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "nav.ranking": {"vi": "Xếp hạng", "en": "Rankings"},
    "nav.unit": {"vi": "Đơn vị", "en": "Unit profile"},
    "nav.upload": {"vi": "Tải lên", "en": "Upload"},
    "nav.data": {"vi": "Nhập/Xuất dữ liệu", "en": "Data in/out"},
    "nav.criteria": {"vi": "Tiêu chí", "en": "Criteria"},
    "nav.trends": {"vi": "Xu hướng", "en": "Trends"},
    "nav.audit": {"vi": "Nhật ký", "en": "Audit log"},
}
