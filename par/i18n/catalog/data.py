"""Messages whose keys start with ``data.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "data.csv": {"vi": "Tải kết quả (CSV)", "en": "Download results (CSV)"},
    "data.xlsx": {"vi": "Tải kết quả (Excel)", "en": "Download results (Excel)"},
    "data.reset_title": {"vi": "Dữ liệu mẫu", "en": "Sample data"},
    "data.reset_help": {"vi": "Xóa mọi lần nộp và nạp lại dữ liệu mô phỏng ban đầu. Chỉ có ở chế độ dữ liệu mẫu.",
                        "en": "Delete every submission and load the original synthetic sample again. Sample mode only."},
    "data.reset": {"vi": "Khôi phục dữ liệu mẫu", "en": "Reset the sample data"},
    "data.reset_done": {"vi": "Đã nạp lại dữ liệu mẫu.", "en": "The sample data is loaded again."},
}
