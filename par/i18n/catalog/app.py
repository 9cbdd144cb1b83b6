"""Messages whose keys start with ``app.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"vi": "Chỉ số cải cách hành chính", "en": "PAR index"},
    "app.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "app.sample_banner": {"vi": "Đang hiển thị dữ liệu mô phỏng (không phải số liệu thật) với bộ chỉ số minh họa.",
                          "en": "Showing synthetic sample data (not real figures) with illustrative criteria sets."},
    "app.criteria_set": {"vi": "Bộ chỉ số", "en": "Criteria set"},
    "app.as_of": {"vi": "Tính đến kỳ", "en": "As of"},
    "app.whole_year": {"vi": "Cả năm {year}", "en": "Whole year {year}"},
    "app.unit": {"vi": "Đơn vị", "en": "Unit"},
    "app.no_inputs": {"vi": "Chưa có dữ liệu đầu vào cho bộ chỉ số này.",
                      "en": "There are no inputs for this criteria set yet."},
    "app.headline": {"vi": "Xếp thứ {rank} · {index}%", "en": "Ranks {rank} · {index}%"},
    "app.lagging": {"vi": "Tiêu chí kéo điểm xuống (dưới mức trung bình)",
                    "en": "Criteria pulling the unit down (below the mean)"},
    "app.input_errors": {"vi": "Dữ liệu đầu vào có lỗi; sửa các lỗi sau rồi tải lại:",
                         "en": "The inputs have errors; fix these and reload:"},
}
