"""Messages whose keys start with ``unit.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "unit.domains": {"vi": "Điểm theo lĩnh vực", "en": "Score by domain"},
    "unit.strengths": {"vi": "Điểm mạnh (trên mức trung bình)", "en": "Strengths (above the mean)"},
    "unit.missing": {"vi": "Tiêu chí chưa có số liệu ({count})", "en": "Criteria with no data ({count})"},
    "unit.no_missing": {"vi": "Đơn vị đã nhập đủ số liệu cho mọi tiêu chí.", "en": "Every criterion has data."},
    "unit.self_vs_appraisal": {"vi": "Tự chấm và thẩm định", "en": "Self score vs appraisal"},
    "unit.no_appraisal": {"vi": "Chưa có kết quả thẩm định trong kỳ này.", "en": "No appraisal in this period yet."},
    "unit.not_submitted": {"vi": "{name} chưa nộp số liệu cho {period}: chưa xếp hạng, chưa so sánh được với các đơn vị khác.",
                           "en": "{name} has no data for {period}: not ranked, nothing to compare with the other units yet."},
}
