"""Messages whose keys start with ``trends.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "trends.unit": {"vi": "Đơn vị", "en": "Unit"},
    "trends.table": {"vi": "Chỉ số và hạng qua các kỳ", "en": "Index and rank through the periods"},
    "trends.sets_differ": {"vi": "Lưu ý: năm {a} ({id_a}) và năm {b} ({id_b}) dùng bộ chỉ số khác nhau; không nên so sánh trực tiếp chỉ số giữa hai năm.",
                           "en": "Note: {a} ({id_a}) and {b} ({id_b}) use different criteria sets; do not compare their indices directly."},
    "trends.years": {"vi": "Các năm có dữ liệu cho cấp này", "en": "Years with data for this level"},
    "trends.kind.self": {"vi": "Tự chấm lũy kế", "en": "Self-assessed, year to date"},
    "trends.kind.appraisal_year": {"vi": "Thẩm định cả năm", "en": "Appraised, whole year"},
    "trends.kind.appraisal_ytd": {"vi": "Thẩm định lũy kế", "en": "Appraised, year to date"},
    "trends.kind.mixed": {"vi": "Tự chấm, một phần đã thẩm định", "en": "Self-assessed, partly appraised"},
    "trends.kind.none": {"vi": "Chưa có số liệu", "en": "No data yet"},
    "trends.col_kind": {"vi": "Loại điểm", "en": "Kind of score"},
    "trends.col_unscored": {"vi": "Chưa chấm, tính 0 (điểm)", "en": "Not yet scored, counted 0 (points)"},
    "trends.why_jump": {"vi": "Tự chấm lũy kế là điểm đơn vị tự chấm từ đầu năm đến hết kỳ, tạm tính: tiêu chí chưa chấm (khảo sát, tiêu chí chỉ có khi thẩm định) được tính 0 điểm. Thẩm định cả năm là điểm hội đồng thẩm định chấm cho cả năm: chấm cả các tiêu chí đó và điều chỉnh điểm tự chấm, thường là hạ xuống. Vì vậy chỉ số nhảy giữa hai loại điểm; bước nhảy ấy không phải tiến bộ hay sa sút.",
                        "en": "Self-assessed, year to date: what the unit scored itself from the start of the year to the end of the period, provisional: criteria not yet scored (surveys, criteria only the appraisal brings) count 0. Appraised, whole year: what the appraisal council scored for the year: it scores those criteria too and corrects the self-scores, usually down. So the index jumps between the two kinds; that jump is neither progress nor decline."},
    "trends.jump": {"vi": "Chỉ số đi từ {from_index} ({from_period}, tự chấm lũy kế) đến {to_index} ({to_period}, thẩm định): {newly} điểm từ {count} tiêu chí trước đó chưa chấm nên tính 0 (như khảo sát); {adjusted} điểm do thẩm định điều chỉnh các tiêu chí đơn vị đã tự chấm.",
                    "en": "The index goes from {from_index} ({from_period}, self-assessed year to date) to {to_index} ({to_period}, appraised): {newly} points from {count} criteria not scored before, which counted 0 (such as the surveys); {adjusted} points from the appraisal's corrections to the criteria the unit had scored itself."},
    "trends.unscored_now": {"vi": "Tính đến {as_of}: {count} tiêu chí chưa chấm ({points} điểm) đang tính 0, như khảo sát chỉ có khi thẩm định cả năm; chỉ số thẩm định cả năm sẽ khác chỉ số tự chấm lũy kế này.",
                            "en": "As of {as_of}: {count} criteria not yet scored ({points} points) count 0, such as the surveys only the year's appraisal brings; the appraised year's index will differ from this year-to-date self-score."},
}
