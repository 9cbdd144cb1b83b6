"""The one message catalogue: every text a user sees, in Vietnamese and English.

Issue codes double as message keys. The workbook (templates, guard, import) and
storage messages live in messages_workbook.py and messages_storage.py and are
merged here (with the dashboard's, messages_app.py), so there is still one catalogue and one ``t()``. ``t(key, lang, **fields)`` renders one;
a missing key renders visibly instead of crashing, and tests/test_messages.py
keeps both languages complete and their placeholders identical.
"""
from __future__ import annotations

import os
import string
from typing import Any

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

MESSAGES: dict[str, dict[str, str]] = {
    # -- locations -------------------------------------------------------------
    "loc.sheet": {"vi": "trang tính '{sheet}'", "en": "sheet '{sheet}'"},
    "loc.cell": {"vi": "ô {cell}", "en": "cell {cell}"},
    "loc.row": {"vi": "dòng {row}", "en": "row {row}"},
    "loc.column": {"vi": "cột '{column}'", "en": "column '{column}'"},
    "loc.node": {"vi": "mã {node}", "en": "code {node}"},
    "severity.warning": {"vi": "(cảnh báo)", "en": "(warning)"},
    # -- files -----------------------------------------------------------------
    "file.not_found": {"vi": "không tìm thấy tệp; kiểm tra lại đường dẫn.",
                       "en": "file not found; check the path."},
    "file.not_utf8": {"vi": "tệp không phải văn bản UTF-8; hãy lưu lại với bảng mã UTF-8.",
                      "en": "the file is not UTF-8 text; save it again as UTF-8."},
    "file.unreadable": {"vi": "không đọc được tệp ({detail}).",
                        "en": "cannot read the file ({detail})."},
    "file.bad_type": {"vi": "định dạng '{suffix}' không được hỗ trợ; dùng .csv hoặc .xlsx.",
                      "en": "format '{suffix}' is not supported; use .csv or .xlsx."},
    "file.bad_xlsx": {"vi": "không mở được tệp Excel ({detail}); hãy lưu lại dưới dạng .xlsx.",
                      "en": "cannot open the Excel file ({detail}); save it again as .xlsx."},
    "file.empty": {"vi": "tệp không có dữ liệu (cần một dòng tiêu đề).",
                   "en": "the file has no data (a header row is needed)."},
    "file.missing_columns": {
        "vi": "thiếu cột bắt buộc: {columns}. Dòng tiêu đề phải có: {expected}.",
        "en": "required columns missing: {columns}. The header row must have: {expected}."},
    "file.ragged_row": {"vi": "dòng có {count} ô, trong khi dòng tiêu đề có {expected} cột; kiểm tra dấu phẩy thừa hoặc thiếu (dùng dấu ngoặc kép cho giá trị có dấu phẩy, ví dụ \"0,5\").",
                        "en": "the row has {count} cells but the header has {expected} columns; check for extra or missing commas (quote values that contain a comma, e.g. \"0,5\")."},
    "file.duplicate_column": {"vi": "cột '{column}' xuất hiện hai lần trong dòng tiêu đề.",
                              "en": "column '{column}' appears twice in the header row."},
    "file.unknown_column": {"vi": "cột '{column}' không thuộc mẫu nhập liệu và bị bỏ qua.",
                            "en": "column '{column}' is not part of the input table and is ignored."},
    "file.too_many_issues": {"vi": "còn {count} lỗi khác không liệt kê; hãy sửa các lỗi trên rồi tải lại.",
                             "en": "{count} more problems not listed; fix the ones above and load again."},
    # -- criteria sets -----------------------------------------------------------
    "criteria.yaml_syntax": {"vi": "lỗi cú pháp YAML: {detail}.",
                             "en": "YAML syntax error: {detail}."},
    "criteria.not_mapping": {"vi": "tệp bộ chỉ số phải là một bảng khóa: giá trị (id, title, domains …).",
                             "en": "a criteria file must be a mapping (id, title, domains …)."},
    "criteria.missing_key": {"vi": "thiếu khóa bắt buộc '{key}'.",
                             "en": "required key '{key}' is missing."},
    "criteria.duplicate_key": {"vi": "khóa '{key}' được khai báo hai lần.",
                               "en": "key '{key}' is given twice."},
    "criteria.unknown_key": {"vi": "khóa '{key}' không được hỗ trợ và bị bỏ qua (viết sai chính tả?).",
                             "en": "key '{key}' is not supported and is ignored (a typo?)."},
    "criteria.bad_id": {"vi": "id '{value}' không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch ngang.",
                        "en": "id '{value}' is invalid: use lowercase letters a-z, digits and hyphens."},
    "criteria.bad_year": {"vi": "năm '{value}' không hợp lệ (ví dụ: 2025).",
                          "en": "year '{value}' is invalid (e.g. 2025)."},
    "criteria.not_a_number": {"vi": "'{key}' phải là một số, nhận được '{value}'.",
                              "en": "'{key}' must be a number, got '{value}'."},
    "criteria.not_positive": {"vi": "'{key}' phải lớn hơn 0, nhận được {value}.",
                              "en": "'{key}' must be greater than 0, got {value}."},
    "criteria.not_a_bool": {"vi": "'{key}' phải là true hoặc false, nhận được '{value}'.",
                            "en": "'{key}' must be true or false, got '{value}'."},
    "criteria.ties": {"vi": "ranking.ties phải là 'min' hoặc 'dense', nhận được '{value}'.",
                      "en": "ranking.ties must be 'min' or 'dense', got '{value}'."},
    "criteria.no_domains": {"vi": "'domains' phải là danh sách lĩnh vực, không được rỗng.",
                            "en": "'domains' must be a non-empty list of domains."},
    "criteria.no_regular": {"vi": "cần ít nhất một lĩnh vực thường (kind: regular).",
                            "en": "at least one regular domain (kind: regular) is needed."},
    "criteria.max_total": {"vi": "tổng điểm tối đa các lĩnh vực là {total}, khác max_total = {max_total}.",
                           "en": "the regular domains add up to {total}, not max_total = {max_total}."},
    "criteria.node_not_mapping": {"vi": "mỗi nút phải là một bảng khóa (code, name, max …), nhận được '{value}'.",
                                  "en": "each node must be a mapping (code, name, max …), got '{value}'."},
    "criteria.duplicate_code": {"vi": "mã bị trùng (đã dùng ở dòng {first_line}).",
                                "en": "duplicate code (already used at line {first_line})."},
    "criteria.kind": {"vi": "kind '{value}' không hợp lệ: dùng regular, bonus hoặc penalty.",
                      "en": "kind '{value}' is invalid: use regular, bonus or penalty."},
    "criteria.kind_not_top": {"vi": "kind: {kind} chỉ dùng cho nút cấp cao nhất.",
                              "en": "kind: {kind} is only allowed on top-level nodes."},
    "criteria.children_or_rule": {"vi": "mỗi nút phải có đúng một trong hai: 'children' (tiêu chí con) hoặc 'rule' (cách chấm).",
                                  "en": "each node needs exactly one of 'children' or 'rule'."},
    "criteria.children_empty": {"vi": "'children' phải là danh sách không rỗng.",
                                "en": "'children' must be a non-empty list."},
    "criteria.children_sum": {"vi": "tổng điểm tối đa các tiêu chí con là {total}, khác điểm tối đa {max} của nút.",
                              "en": "the children's max add up to {total}, not the node's max {max}."},
    "criteria.rule_not_mapping": {"vi": "'rule' phải là một bảng khóa, ví dụ {{type: yes_no}}.",
                                  "en": "'rule' must be a mapping, e.g. {{type: yes_no}}."},
    "criteria.rule_type": {"vi": "loại quy tắc '{value}' không hợp lệ; dùng một trong: {allowed}.",
                           "en": "rule type '{value}' is invalid; use one of: {allowed}."},
    "criteria.param_not_for_type": {"vi": "tham số '{key}' không dùng được với quy tắc {type}.",
                                    "en": "parameter '{key}' does not apply to rule type {type}."},
    "criteria.aggregate": {"vi": "aggregate '{value}' không dùng được với quy tắc {type}; dùng: {allowed}.",
                           "en": "aggregate '{value}' is not allowed for rule type {type}; use: {allowed}."},
    "criteria.ratio_bands_or_linear": {"vi": "quy tắc ratio cần đúng một trong hai: 'bands' hoặc 'linear: true'.",
                                       "en": "a ratio rule needs exactly one of 'bands' or 'linear: true'."},
    "criteria.count_bands_or_per_item": {"vi": "quy tắc count cần đúng một trong hai: 'bands' hoặc 'per_item'.",
                                         "en": "a count rule needs exactly one of 'bands' or 'per_item'."},
    "criteria.survey_bands_or_linear": {"vi": "quy tắc survey không dùng đồng thời 'bands' và 'linear'.",
                                        "en": "a survey rule cannot have both 'bands' and 'linear'."},
    "criteria.options_missing": {"vi": "quy tắc choice cần 'options': nhãn → tỷ lệ điểm (0 đến 1).",
                                 "en": "a choice rule needs 'options': label → fraction (0 to 1)."},
    "criteria.option_fraction": {"vi": "lựa chọn '{label}' phải có tỷ lệ từ 0 đến 1, nhận được '{value}'.",
                                 "en": "option '{label}' needs a fraction from 0 to 1, got '{value}'."},
    "criteria.direction": {"vi": "direction '{value}' không hợp lệ: dùng higher_is_better hoặc lower_is_better.",
                           "en": "direction '{value}' is invalid: use higher_is_better or lower_is_better."},
    "criteria.when_empty": {"vi": "when_empty '{value}' không hợp lệ: dùng na, full hoặc zero.",
                            "en": "when_empty '{value}' is invalid: use na, full or zero."},
    "criteria.bands_not_list": {"vi": "'bands' phải là danh sách không rỗng, ví dụ [{{min: 80, points: 1}}].",
                                "en": "'bands' must be a non-empty list, e.g. [{{min: 80, points: 1}}]."},
    "criteria.band_not_mapping": {"vi": "mỗi mức phải là một bảng khóa, nhận được '{value}'.",
                                  "en": "each band must be a mapping, got '{value}'."},
    "criteria.band_bound": {"vi": "mỗi mức cần đúng một trong hai: 'min' (từ … trở lên) hoặc 'above' (trên …).",
                            "en": "each band needs exactly one of 'min' (at least) or 'above' (more than)."},
    "criteria.band_points_negative": {"vi": "điểm của mức ({points}) không được âm.",
                                      "en": "band points ({points}) must not be negative."},
    "criteria.band_points_over_max": {"vi": "điểm của mức ({points}) vượt điểm tối đa {max} của tiêu chí.",
                                      "en": "band points ({points}) exceed the node's max {max}."},
    # -- units -----------------------------------------------------------------
    "units.empty_cell": {"vi": "ô '{column}' đang trống; mỗi đơn vị cần mã, tên và cấp.",
                         "en": "'{column}' is empty; every unit needs an id, a name and a level."},
    "units.duplicate": {"vi": "{column} '{value}' trùng với dòng {first_row}.",
                        "en": "{column} '{value}' repeats row {first_row}."},
    # -- inputs ----------------------------------------------------------------
    "input.empty_cell": {"vi": "ô '{column}' đang trống.", "en": "'{column}' is empty."},
    "input.unknown_unit": {"vi": "đơn vị '{value}' không có trong danh sách đơn vị; dùng mã hoặc tên đúng như trong units.csv.",
                           "en": "unit '{value}' is not in the units list; use the id or name exactly as in units.csv."},
    "input.unit_wrong_level": {"vi": "đơn vị '{value}' thuộc cấp '{level}', bộ chỉ số này chấm cấp '{expected}'.",
                               "en": "unit '{value}' is level '{level}'; this criteria set scores level '{expected}'."},
    "input.unknown_criterion": {"vi": "tiêu chí '{value}' không có trong bộ chỉ số {set}.",
                                "en": "criterion '{value}' is not in criteria set {set}."},
    "input.not_a_leaf": {"vi": "'{value}' là nhóm tiêu chí; chỉ nhập số liệu cho tiêu chí thành phần (không có tiêu chí con).",
                         "en": "'{value}' has sub-criteria; enter data only for leaf criteria."},
    "input.bad_period": {"vi": "kỳ '{value}' không hợp lệ; dùng YYYY (cả năm) hoặc YYYY-Q1 … YYYY-Q4.",
                         "en": "period '{value}' is invalid; use YYYY (whole year) or YYYY-Q1 … YYYY-Q4."},
    "input.bad_stage": {"vi": "giai đoạn '{value}' không hợp lệ; dùng self (tự chấm) hoặc appraisal (thẩm định).",
                        "en": "stage '{value}' is invalid; use self or appraisal."},
    "input.not_a_number": {"vi": "'{value}' không phải là số (ví dụ hợp lệ: 12, 0,5, 98%).",
                           "en": "'{value}' is not a number (valid examples: 12, 0.5, 98%)."},
    "input.date_not_number": {"vi": "ô chứa ngày tháng ({value}) nhưng ở đây cần một số; định dạng lại ô thành số.",
                              "en": "the cell holds a date ({value}) where a number belongs; format the cell as a number."},
    "input.negative": {"vi": "giá trị {value} không được âm.", "en": "value {value} must not be negative."},
    "input.over_max": {"vi": "điểm {value} vượt điểm tối đa {max} của tiêu chí.",
                       "en": "points {value} exceed the criterion's max {max}."},
    "input.survey_range": {"vi": "kết quả khảo sát {value} phải là tỷ lệ phần trăm từ 0 đến 100.",
                           "en": "survey result {value} must be a percentage from 0 to 100."},
    "input.bad_yes_no": {"vi": "'{value}' không phải Có/Không (dùng: có, không, x, 1, 0, đạt, không đạt, yes, no).",
                         "en": "'{value}' is not yes/no (use: có, không, x, 1, 0, đạt, không đạt, yes, no)."},
    "input.bad_choice": {"vi": "'{value}' không phải một lựa chọn hợp lệ; chọn một trong: {options}.",
                         "en": "'{value}' is not a valid option; choose one of: {options}."},
    "input.ratio_needs_both": {"vi": "tiêu chí tỷ lệ cần cả tử số và mẫu số; ô '{column}' đang trống.",
                               "en": "a ratio criterion needs both numerator and denominator; '{column}' is empty."},
    "input.duplicate": {"vi": "trùng đơn vị, kỳ, tiêu chí và giai đoạn với dòng {first_row}; giữ lại một dòng.",
                        "en": "same unit, period, criterion and stage as row {first_row}; keep only one."},
    "input.duplicate_across": {"vi": "trùng đơn vị, kỳ, tiêu chí và giai đoạn với {first}; giữ lại một dòng.",
                               "en": "same unit, period, criterion and stage as {first}; keep only one."},
    "input.other_year": {"vi": "{count} dòng thuộc năm khác năm {year} của bộ chỉ số; chúng chỉ được tính khi chấm theo năm đó.",
                         "en": "{count} rows belong to a year other than the criteria set's {year}; they count only when scoring as of that year."},
    # -- command line and tables -------------------------------------------------
    "cli.usage_error": {"vi": "Lỗi cú pháp lệnh: {detail}", "en": "Command error: {detail}"},
    "cli.bad_as_of": {"vi": "--as-of '{value}' không hợp lệ; dùng YYYY hoặc YYYY-Q1 … YYYY-Q4.",
                      "en": "--as-of '{value}' is invalid; use YYYY or YYYY-Q1 … YYYY-Q4."},
    "cli.as_of_other_year": {"vi": "kỳ {as_of} không thuộc năm {year} của bộ chỉ số {id}; chỉ các dòng của năm đó được tính.",
                             "en": "period {as_of} is not in year {year} of criteria set {id}; only rows of that year count."},
    "cli.no_inputs": {"vi": "cần --inputs TỆP … hoặc --db (chấm theo số liệu đã nhập vào cơ sở dữ liệu).",
                      "en": "give --inputs FILE … or --db (score the data stored in the database)."},
    "cli.template_written": {"vi": "Đã ghi mẫu {file} ({units} đơn vị, kỳ {period}).",
                             "en": "Wrote template {file} ({units} units, period {period})."},
    "cli.import_storing": {"vi": "Đang kiểm tra và lưu {files} tệp …", "en": "Checking and storing {files} files …"},
    "cli.imported": {"vi": "{file}: đã lưu {rows} dòng — lần nộp {submissions}.",
                     "en": "{file}: stored {rows} rows — submissions {submissions}."},
    "cli.and_more": {"vi": "… {count} lần nộp khác …", "en": "… {count} more …"},
    "cli.no_history": {"vi": "Chưa có lần nộp nào.", "en": "No submissions yet."},
    "cli.rolled_back": {"vi": "Đã khôi phục lần nộp #{id} làm bản hiện hành (thay cho {replaced}).",
                        "en": "Submission #{id} is current again (replacing {replaced})."},
    "hist.id": {"vi": "Số", "en": "No."},
    "hist.unit": {"vi": "Đơn vị", "en": "Unit"},
    "hist.period": {"vi": "Kỳ", "en": "Period"},
    "hist.stage": {"vi": "Giai đoạn", "en": "Stage"},
    "hist.status": {"vi": "Trạng thái", "en": "Status"},
    "hist.row_count": {"vi": "Số dòng", "en": "Rows"},
    "hist.user": {"vi": "Người nộp", "en": "User"},
    "hist.created_at": {"vi": "Thời điểm (UTC)", "en": "Time (UTC)"},
    "hist.source_name": {"vi": "Tệp nguồn", "en": "Source file"},
    "cli.unknown_unit": {"vi": "không có đơn vị '{unit}' cấp '{level}' trong danh sách đơn vị.",
                         "en": "there is no unit '{unit}' of level '{level}' in the units list."},
    "cli.check_no_files": {"vi": "cần ít nhất một tệp bộ chỉ số để kiểm tra.",
                           "en": "give at least one criteria file to check."},
    "cli.check_ok": {"vi": "{file}: hợp lệ — {id}: {domains} lĩnh vực, {leaves} tiêu chí chấm điểm (kể cả điểm thưởng, điểm trừ), tổng {max} điểm ({types}).",
                     "en": "{file}: valid — {id}: {domains} domains, {leaves} scored criteria (bonus and penalty included), {max} points in all ({types})."},
    "cli.internal_error": {"vi": "Lỗi nội bộ của par ({detail}); vui lòng báo cho quản trị hệ thống.",
                           "en": "Internal error in par ({detail}); please report it."},
    "cli.score_title": {"vi": "{title} — tính đến kỳ {as_of}", "en": "{title} — as of {as_of}"},
    "cli.lagging_title": {"vi": "{unit}: xếp thứ {rank} · chỉ số {index} — các tiêu chí dưới mức trung bình (tính đến kỳ {as_of})",
                          "en": "{unit}: ranks {rank} · index {index} — criteria below the mean (as of {as_of})"},
    "cli.no_lagging": {"vi": "Không có tiêu chí nào dưới mức trung bình.",
                       "en": "No criterion is below the mean."},
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
    "col.best": {"vi": "Cao nhất", "en": "Best"},
    "col.attainment": {"vi": "Mức đạt TB", "en": "Mean attainment"},
    "word.yes": {"vi": "có", "en": "yes"},

}

# Areas with many messages keep them in their own file; they all join this one catalogue.
from par.messages_workbook import MESSAGES as _WORKBOOK  # noqa: E402
from par.messages_storage import MESSAGES as _STORAGE  # noqa: E402
from par.messages_app import MESSAGES as _APP  # noqa: E402

for _area in (_WORKBOOK, _STORAGE, _APP):
    _clash = set(_area) & set(MESSAGES)
    assert not _clash, f"message keys defined twice: {_clash}"
    MESSAGES.update(_area)


def resolve_lang(lang: str | None = None) -> str:
    lang = (lang or os.environ.get("PAR_LANG") or DEFAULT_LANG).lower()
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **fields: Any) -> str:
    """The message ``key`` in ``lang``; missing fields render as {name}, never raise."""
    entry = MESSAGES.get(key)
    if entry is None:
        return f"[{key}]"
    template = entry.get(resolve_lang(lang)) or entry[DEFAULT_LANG]
    return string.Formatter().vformat(template, (), _Fields(fields))


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
