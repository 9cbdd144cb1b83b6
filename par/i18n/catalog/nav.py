"""Messages whose keys start with ``nav.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "nav.section_results": {"vi": "Kết quả", "en": "Results"},
    "nav.section_work": {"vi": "Nhập liệu và chấm điểm", "en": "Figures and scoring"},
    "nav.section_admin": {"vi": "Quản trị", "en": "Administration"},
    "nav.home": {"vi": "Tổng quan", "en": "Overview"},
    "nav.ranking": {"vi": "Xếp hạng", "en": "Rankings"},
    "nav.unit": {"vi": "Đơn vị", "en": "Unit profile"},
    "nav.compare": {"vi": "So sánh đơn vị", "en": "Compare units"},
    "nav.upload": {"vi": "Tải lên", "en": "Upload"},
    "nav.round_self": {"vi": "Tự chấm", "en": "Self-assessment"},
    "nav.round_appraise": {"vi": "Thẩm định", "en": "Appraisal"},
    "nav.rounds": {"vi": "Đợt chấm điểm", "en": "Scoring rounds"},
    "nav.surveys": {"vi": "Khảo sát", "en": "Surveys"},
    "nav.data": {"vi": "Nhập/Xuất dữ liệu", "en": "Data in/out"},
    "nav.criteria": {"vi": "Tiêu chí", "en": "Criteria"},
    "nav.trends": {"vi": "Xu hướng", "en": "Trends"},
    "nav.audit": {"vi": "Nhật ký", "en": "Audit log"},
    "nav.sets": {"vi": "Bộ chỉ số", "en": "Criteria sets"},
}
