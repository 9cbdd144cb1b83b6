"""Messages whose keys start with ``trends.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "trends.unit": {"vi": "Đơn vị", "en": "Unit"},
    "trends.table": {"vi": "Chỉ số và hạng qua các kỳ", "en": "Index and rank through the periods"},
    "trends.sets_differ": {"vi": "Lưu ý: năm {a} ({id_a}) và năm {b} ({id_b}) dùng bộ chỉ số khác nhau; không nên so sánh trực tiếp chỉ số giữa hai năm.",
                           "en": "Note: {a} ({id_a}) and {b} ({id_b}) use different criteria sets; do not compare their indices directly."},
    "trends.years": {"vi": "Các năm có dữ liệu cho cấp này", "en": "Years with data for this level"},
}
