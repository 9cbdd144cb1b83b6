"""Messages whose keys start with ``app.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"vi": "Chỉ số cải cách hành chính", "en": "PAR index"},
    "app.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "app.sample_banner": {"vi": "Đang hiển thị dữ liệu mô phỏng (không phải số liệu thật) với bộ chỉ số minh họa.",
                          "en": "Showing synthetic sample data (not real figures) with illustrative criteria sets."},
    "app.empty_database": {"vi": "Cơ sở dữ liệu của tỉnh chưa có số liệu nào. Bước đầu tiên, trên máy chủ: (1) tạo tài khoản quản trị: `python -m par users add TÊN --role admin`; (2) nạp danh sách đơn vị và số liệu: `python -m par import TỆP... --units don-vi.csv --user TÊN` — hoặc đăng nhập và dùng trang Tải lên. Bộ chỉ số đặt trong thư mục criteria/ (kiểm tra bằng `python -m par check`).",
                           "en": "The province's database holds no data yet. First steps, on the server: (1) create an admin account: `python -m par users add NAME --role admin`; (2) load the units and the figures: `python -m par import FILE... --units units.csv --user NAME` — or sign in and use the Upload page. Criteria sets live in the criteria/ folder (check them with `python -m par check`)."},
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
    "app.stored_warnings": {"vi": "{count} dòng số liệu đã lưu không dùng được và được coi là thiếu (các dòng khác vẫn được tính):",
                            "en": "{count} stored rows could not be used and count as missing (every other row is still scored):"},
}
