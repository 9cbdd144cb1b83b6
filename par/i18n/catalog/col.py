"""Messages whose keys start with ``col.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "col.rank": {"vi": "Hạng", "en": "Rank"},
    "col.unit": {"vi": "Đơn vị", "en": "Unit"},
    "col.group": {"vi": "Nhóm", "en": "Group"},
    "col.group_rank": {"vi": "Hạng trong nhóm", "en": "Group rank"},
    "col.score": {"vi": "Điểm", "en": "Score"},
    "col.max": {"vi": "Tối đa", "en": "Max"},
    "col.index": {"vi": "Chỉ số (%)", "en": "Index (%)"},
    "col.band": {"vi": "Xếp loại", "en": "Grade"},
    "col.provisional": {"vi": "Tạm tính", "en": "Provisional"},
    "col.code": {"vi": "Mã", "en": "Code"},
    "col.criterion": {"vi": "Tiêu chí", "en": "Criterion"},
    "col.points_lost": {"vi": "Điểm bị mất", "en": "Points lost"},
    "col.mean": {"vi": "Trung bình", "en": "Mean"},
    "col.best": {"vi": "Tốt nhất", "en": "Best"},  # the smallest, for a penalty leaf
    "col.attainment": {"vi": "Mức đạt TB", "en": "Mean attainment"},
    "col.period": {"vi": "Kỳ", "en": "Period"},
    "col.index_before": {"vi": "Chỉ số trước", "en": "Index before"},
    "col.index_after": {"vi": "Chỉ số sau", "en": "Index after"},
    "col.rank_before": {"vi": "Hạng trước", "en": "Rank before"},
    "col.rank_after": {"vi": "Hạng sau", "en": "Rank after"},
    "col.rank_change": {"vi": "Thay đổi hạng", "en": "Rank change"},
    "col.self_points": {"vi": "Điểm tự chấm", "en": "Self score"},
    "col.appraisal_points": {"vi": "Điểm thẩm định", "en": "Appraised score"},
    "col.difference": {"vi": "Chênh lệch", "en": "Difference"},
    "col.domain": {"vi": "Lĩnh vực", "en": "Domain"},
}
