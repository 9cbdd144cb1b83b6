"""Messages whose keys start with ``data.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "data.csv": {"vi": "Tải kết quả (CSV)", "en": "Download results (CSV)"},
    "data.xlsx": {"vi": "Tải kết quả (Excel)", "en": "Download results (Excel)"},
    "data.reset_title": {"vi": "Dữ liệu mẫu", "en": "Sample data"},
    "data.reset_help": {"vi": "Thu hồi mọi lần nộp hiện hành (không xóa gì; nhật ký giữ nguyên và ghi lại việc này) rồi nạp lại dữ liệu mô phỏng ban đầu. Chỉ có ở chế độ dữ liệu mẫu, với quản trị viên.",
                        "en": "Withdraw every current submission (nothing is deleted; the audit log keeps everything and records this) and load the original synthetic sample again. Sample mode and admins only."},
    "data.reset": {"vi": "Khôi phục dữ liệu mẫu", "en": "Reset the sample data"},
    "data.not_sample": {"vi": "chỉ khôi phục được dữ liệu mẫu ở chế độ dữ liệu mẫu, trên cơ sở dữ liệu mẫu; dữ liệu thật không bao giờ bị xóa.",
                        "en": "the sample can only be reset in sample mode, on the sample database; real data is never wiped."},
    "data.reset_done": {"vi": "Đã nạp lại dữ liệu mẫu.", "en": "The sample data is loaded again."},
}
