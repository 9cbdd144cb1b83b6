"""Messages whose keys start with ``docs.``: the documents the office signs (the scoring sheet
and the ranking annex, par.export.round_docs)."""

MESSAGES: dict[str, dict[str, str]] = {
    "docs.sheet_title": {"vi": "PHIẾU CHẤM ĐIỂM", "en": "SCORING SHEET"},
    "docs.unknown_unit": {
        "vi": "Đơn vị '{unit}' không thuộc cấp được chấm của bộ chỉ số trong đợt này; hãy chọn "
              "một đơn vị trong danh sách.",
        "en": "Unit '{unit}' is not one of the units this round's criteria set scores; pick a "
              "unit from the list."},
    # the heading block (NĐ 30/2020/NĐ-CP); agency, office and place are placeholders a
    # caller replaces with the province's own (round_docs: agency=, office=, place=)
    "docs.agency": {"vi": "Ủy ban nhân dân tỉnh", "en": "Provincial People's Committee"},
    "docs.office": {"vi": "Sở Nội vụ", "en": "Department of Home Affairs"},
    "docs.place": {"vi": "……………", "en": "……………"},
    "docs.motto_state": {"vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "en": "SOCIALIST REPUBLIC OF VIETNAM"},
    "docs.motto": {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"},
    "docs.place_date": {"vi": "{place}, ngày {day} tháng {month} năm {year}",
                        "en": "{place}, {day}/{month}/{year}"},
    # the scoring sheet
    "docs.period_line": {"vi": "Kỳ đánh giá: {period}", "en": "Period: {period}"},
    "docs.unit_label": {"vi": "Đơn vị:", "en": "Unit:"},
    "docs.col_code": {"vi": "STT/Mã", "en": "No./Code"},
    "docs.col_criterion": {"vi": "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
                           "en": "Domain/Criterion/Sub-criterion"},
    "docs.col_max": {"vi": "Điểm tối đa", "en": "Max points"},
    "docs.col_self": {"vi": "Điểm tự chấm", "en": "Self points"},
    "docs.col_appraised": {"vi": "Điểm thẩm định", "en": "Appraised points"},
    "docs.col_comment": {"vi": "Nhận xét của hội đồng thẩm định",
                         "en": "Appraisal council's comment"},
    "docs.col_explanation": {"vi": "Giải trình của đơn vị", "en": "Unit's explanation"},
    "docs.not_explained": {"vi": "(Chưa giải trình)", "en": "(Not explained yet)"},
    "docs.no_evidence_note": {
        "vi": "({mark}) Tiêu chí thiếu tài liệu kiểm chứng: điểm tự chấm tính 0 ({count} tiêu "
              "chí).",
        "en": "({mark}) No evidence: the self points count as 0 ({count} criteria)."},
    "docs.total": {"vi": "TỔNG CỘNG", "en": "TOTAL"},
    "docs.self_total": {
        "vi": "Tổng điểm tự chấm: {score}/{max} điểm; chỉ số: {index}%.",
        "en": "Self-assessed total: {score}/{max} points; index: {index}%."},
    "docs.result_total": {
        "vi": "Kết quả sau thẩm định: {score}/{max} điểm; chỉ số: {index}%; xếp loại: {band}.",
        "en": "Result after appraisal: {score}/{max} points; index: {index}%; grade: {band}."},
    "docs.partly_appraised": {
        "vi": "Đã thẩm định {appraised}/{leaves} tiêu chí; tiêu chí chưa thẩm định được tạm "
              "tính theo điểm tự chấm.",
        "en": "{appraised}/{leaves} criteria appraised; the others count with their self "
              "points for now."},
    "docs.flag_count": {
        "vi": "Tiêu chí được yêu cầu giải trình: {flagged}; đơn vị đã giải trình: {explained}.",
        "en": "Criteria the unit was asked to explain: {flagged}; explained: {explained}."},
    "docs.sign_maker": {"vi": "NGƯỜI LẬP BIỂU", "en": "PREPARED BY"},
    "docs.sign_maker_hint": {"vi": "(Ký, ghi rõ họ tên)", "en": "(Signature and full name)"},
    "docs.sign_head": {"vi": "GIÁM ĐỐC", "en": "DIRECTOR"},
    "docs.sign_head_hint": {"vi": "(Ký tên, đóng dấu)", "en": "(Signature and seal)"},
    # the ranking annex
    "docs.annex": {"vi": "Phụ lục", "en": "Annex"},
    "docs.annex_title": {"vi": "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
                         "en": "PUBLIC ADMINISTRATION REFORM INDEX RANKING"},
    "docs.annex_year": {"vi": "năm {year}", "en": "year {year}"},
    "docs.annex_ref": {
        "vi": "(Kèm theo Quyết định số ……/QĐ-UBND; kết quả công bố ngày {date})",
        "en": "(Attached to Decision No. ……; result published on {date})"},
    "docs.col_no": {"vi": "STT", "en": "No."},
    "docs.col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "docs.col_score": {"vi": "Điểm", "en": "Score"},
    "docs.col_index": {"vi": "Chỉ số (%)", "en": "Index (%)"},
    "docs.col_rank": {"vi": "Xếp hạng", "en": "Rank"},
    "docs.col_band": {"vi": "Xếp loại", "en": "Grade"},
    "docs.annex_note": {
        "vi": "Ghi chú: {of} đơn vị được xếp hạng; chỉ số = điểm đạt được/điểm tối đa áp dụng "
              "× {max}.",
        "en": "Note: {of} units ranked; index = points scored/applicable maximum × {max}."},
    "docs.bands_note": {"vi": "Xếp loại: {bands}.", "en": "Grades: {bands}."},
    "docs.band_from": {"vi": "{band} từ {bound}", "en": "{band} from {bound}"},
    "docs.band_above": {"vi": "{band} trên {bound}", "en": "{band} above {bound}"},
}
