"""Messages whose keys start with ``sboot.``: rank intervals from survey sampling error (a
bootstrap over respondents, par.decide.survey_bootstrap; `survey ranks`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "sboot.bad_replicates": {"vi": "số lần lấy mẫu lại {replicates} không hợp lệ; cần ít nhất 1 (--replicates).",
                             "en": "{replicates} replicates is not valid; at least 1 is needed (--replicates)."},
    "sboot.too_many_replicates": {"vi": "{replicates} lần lấy mẫu lại là quá nhiều cho {units} đơn vị; tối đa {max} (--replicates).",
                                  "en": "{replicates} replicates is too many for {units} units; at most {max} (--replicates)."},
    "sboot.bad_period": {"vi": "kỳ '{period}' không hợp lệ: cần một kỳ của năm {year} (YYYY hoặc YYYY-Q1..Q4).",
                         "en": "period '{period}' is not valid: a period of {year} is needed (YYYY or YYYY-Q1..Q4)."},
    "sboot.unknown_form": {"vi": "bộ chỉ số {id} không có phiếu khảo sát '{form}'; xem mục 'surveys' của bộ chỉ số.",
                           "en": "criteria set {id} has no survey form '{form}'; see the set's 'surveys'."},
    "sboot.bad_answers": {"vi": "bảng trả lời của phiếu '{form}' thiếu cột '{column}'.",
                          "en": "the answers table of form '{form}' has no '{column}' column."},
    "sboot.no_answers": {"vi": "Chưa nhập câu trả lời khảo sát nào cho {period}: khoảng thứ hạng chỉ là thứ hạng hiện tại.",
                         "en": "No survey answers are imported for {period}: each interval is just the current rank."},
    "sboot.title": {"vi": "{title} — {period}: khoảng thứ hạng 2,5–97,5% do sai số chọn mẫu khảo sát ({replicates} lần lấy mẫu lại người trả lời, hạt giống {seed}; phiếu: {forms})",
                    "en": "{title} — {period}: 2.5–97.5% rank intervals from survey sampling error ({replicates} resamples of respondents, seed {seed}; forms: {forms})"},
    "sboot.col_unit": {"vi": "Mã đơn vị", "en": "Unit"},
    "sboot.col_name": {"vi": "Tên đơn vị", "en": "Name"},
    "sboot.col_rank": {"vi": "Hạng", "en": "Rank"},
    "sboot.col_interval": {"vi": "Khoảng hạng", "en": "Interval"},
    "sboot.col_flip": {"vi": "Đảo thứ tự với đơn vị trên", "en": "Order flips with unit above"},
}
