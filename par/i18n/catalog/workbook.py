"""Messages whose keys start with ``workbook.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "workbook.data_sheet_missing": {"vi": "không tìm thấy trang tính số liệu '{sheet}'; không đổi tên hoặc xóa trang này, hãy tải mẫu mới nếu cần.",
                                    "en": "the data sheet '{sheet}' is missing; do not rename or delete it, download a new template if needed."},
    "workbook.bad_header": {"vi": "dòng tiêu đề bảng số liệu đã bị sửa hoặc xóa; thiếu cột: {columns}. Không đổi tên, xóa hoặc chèn cột; nếu đã lỡ sửa, hãy tải mẫu mới và chép số liệu sang.",
                            "en": "the data table's header row was changed or removed; columns missing: {columns}. Do not rename, delete or insert columns; if it happened, download a new template and copy the data across."},
    "workbook.record_missing": {"vi": "trang ẩn '_par' của mẫu thiếu thông tin '{field}'; hãy dùng mẫu tải từ hệ thống, không sửa trang ẩn.",
                                "en": "the template's hidden '_par' sheet lacks '{field}'; use a template downloaded from the system and leave the hidden sheet alone."},
    "workbook.record_invalid": {"vi": "trang ẩn '_par' của mẫu ghi '{field}' = '{value}', không hợp lệ; hãy dùng mẫu tải từ hệ thống, không sửa trang ẩn.",
                                "en": "the template's hidden '_par' sheet has '{field}' = '{value}', which is not valid; use a template downloaded from the system and leave the hidden sheet alone."},
    "workbook.record_version": {"vi": "mẫu được tạo bởi phiên bản mới hơn (định dạng {version}, phiên bản này đọc được đến {supported}); hãy cập nhật chương trình hoặc tải mẫu mới.",
                                "en": "the template comes from a newer version (format {version}; this one reads up to {supported}); update the program or download a new template."},
    "workbook.record_mismatch": {"vi": "{field} không khớp: tệp ghi '{found}', cần '{expected}'. Hãy dùng đúng mẫu tải cho bộ chỉ số, đơn vị và kỳ báo cáo này (nếu cần, tải mẫu mới rồi chép số liệu sang); không sửa phần thông tin đầu trang.",
                                 "en": "{field} does not match: the file says '{found}', expected '{expected}'. Use the template downloaded for this criteria set, unit and period (if needed, download a new one and copy the data across); do not edit the header block."},
    "workbook.formula_error": {"vi": "ô chứa lỗi công thức {value}; hãy nhập giá trị trực tiếp (hoặc N/A nếu tiêu chí không áp dụng).",
                               "en": "the cell holds the formula error {value}; type the value itself (or N/A if the criterion does not apply)."},
    "workbook.merged_input": {"vi": "các ô {range} đã bị gộp trong bảng số liệu; hãy bỏ gộp ô (Merge & Center → Unmerge Cells) và nhập số liệu riêng cho từng dòng.",
                              "en": "cells {range} are merged in the data table; unmerge them (Merge & Center → Unmerge Cells) and enter each row's data separately."},
}
