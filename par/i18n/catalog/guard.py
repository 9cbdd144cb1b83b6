"""Messages whose keys start with ``guard.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "guard.too_big": {"vi": "tệp quá lớn ({size_mb} MB); giới hạn là {limit_mb} MB. Hãy xóa các trang tính, hình ảnh hoặc dữ liệu không cần thiết, hoặc chia thành nhiều tệp nhỏ hơn rồi tải lên lại.",
                      "en": "the file is too large ({size_mb} MB); the limit is {limit_mb} MB. Remove unneeded sheets, pictures or data, or split it into smaller files, and upload again."},
    "guard.macro": {"vi": "không nhận tệp Excel có macro (.xlsm, .xlsb) hoặc định dạng Excel cũ (.xls) vì lý do an toàn; hãy mở tệp trong Excel, chọn Tệp › Lưu thành › 'Sổ làm việc Excel (*.xlsx)' rồi tải lên tệp .xlsx vừa lưu.",
                    "en": "macro-enabled Excel files (.xlsm, .xlsb) and the old .xls format are refused for safety; open the file in Excel, choose File › Save As › 'Excel Workbook (*.xlsx)' and upload the saved .xlsx file."},
    "guard.encrypted": {"vi": "tệp đang được đặt mật khẩu hoặc là tệp Excel đời cũ (.xls) nên không đọc được; hãy mở tệp trong Excel, gỡ mật khẩu (Tệp › Thông tin › Bảo vệ Sổ làm việc › Mã hóa bằng Mật khẩu, xóa trống mật khẩu) rồi lưu lại dưới dạng 'Sổ làm việc Excel (*.xlsx)'.",
                        "en": "the file is password-protected or is an old-style .xls workbook, so it cannot be read; open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear the password) and save it as 'Excel Workbook (*.xlsx)'."},
    "guard.not_xlsx": {"vi": "đây không phải tệp Excel .xlsx (dù tên tệp có đuôi .xlsx) hoặc tệp đã bị hỏng; hãy mở tệp gốc trong Excel và lưu lại dưới dạng 'Sổ làm việc Excel (*.xlsx)' rồi tải lên lại.",
                       "en": "this is not an Excel .xlsx file even if it is named so, or the file is damaged; open the original in Excel, save it as 'Excel Workbook (*.xlsx)' and upload again."},
    "guard.too_many_entries": {"vi": "tệp .xlsx chứa quá nhiều thành phần bên trong (hơn {limit}), không giống một sổ làm việc bình thường; hãy chép dữ liệu sang một tệp Excel mới, lưu lại rồi tải lên.",
                               "en": "the .xlsx file holds too many internal parts (more than {limit}), unlike a normal workbook; copy the data into a new Excel file, save it and upload that."},
    "guard.zip_bomb": {"vi": "tệp được nén bất thường: khi giải nén sẽ vượt quá {limit_mb} MB hoặc có tỷ lệ nén bất thường (dấu hiệu của 'bom nén'), nên bị từ chối. Nếu đây là sổ làm việc thật, hãy xóa dữ liệu và định dạng thừa rồi lưu lại.",
                       "en": "the file is compressed abnormally: it would expand beyond {limit_mb} MB or has an abnormal compression ratio (the sign of a 'zip bomb'), so it is refused. If it is a genuine workbook, remove unneeded data and formatting and save it again."},
    "guard.dtd": {"vi": "phần '{part}' trong tệp có khai báo DTD (<!DOCTYPE hoặc <!ENTITY), thứ Excel không bao giờ tạo ra và có thể dùng để tấn công máy chủ (XXE); tệp bị từ chối. Hãy mở tệp trong Excel và lưu lại dưới dạng .xlsx.",
                  "en": "part '{part}' of the file has a DTD declaration (<!DOCTYPE or <!ENTITY), which Excel never writes and which can be used to attack the server (XXE); the file is refused. Open it in Excel and save it again as .xlsx."},
    "guard.cell_out_of_range": {"vi": "phần '{part}' có ô {ref} nằm ngoài vùng cho phép ({max_rows} dòng × {max_cols} cột, tức đến cột {last_col}); hãy xóa các dòng, cột thừa ở xa vùng dữ liệu (chọn chúng, bấm chuột phải › Xóa) rồi lưu lại.",
                                 "en": "part '{part}' has cell {ref}, outside the allowed area ({max_rows} rows × {max_cols} columns, i.e. up to column {last_col}); delete the stray rows and columns far from the data (select them, right-click › Delete) and save again."},
    "guard.too_many_cells": {"vi": "phần '{part}' có quá nhiều dòng hoặc ô (hơn {limit}); hãy xóa dữ liệu và định dạng thừa rồi lưu lại, hoặc chia thành nhiều tệp.",
                             "en": "part '{part}' has too many rows or cells (more than {limit}); remove unneeded data and formatting and save again, or split it into several files."},
}
