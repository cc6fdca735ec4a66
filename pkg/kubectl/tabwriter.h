#pragma once
// Column alignment exactly like Go's text/tabwriter (left-aligned, space padding), which
// kubectl uses for tables (min width 6, padding 3) and describe (min width 0, padding 2).
// Cells are tab-terminated; the text after a line's last tab is not aligned. Consecutive lines
// that share a column form one block with one width, so a line without tabs ends every block.
#include <string>
#include <string_view>
#include <vector>

namespace skiff::kubectl {

struct TabWriterStyle {
  int min_width = 0;
  int padding = 2;
};

inline constexpr TabWriterStyle kTableStyle{6, 3};
inline constexpr TabWriterStyle kDescribeStyle{0, 2};

// Aligns `text` (lines separated by '\n', cells by '\t').
std::string tab_align(std::string_view text, TabWriterStyle style);

// Display width of UTF-8 text (code points; no East Asian wide handling).
std::size_t display_width(std::string_view text);

// Aligns rows of cells (every cell but the last of a row is padded); `widths` receives the
// column widths used, so later rows (watch) can line up with them via pad_row().
std::string align_rows(const std::vector<std::vector<std::string>>& rows, TabWriterStyle style,
                       std::vector<std::size_t>* widths = nullptr);
// One row padded to remembered `widths` (growing them when a cell is wider).
std::string pad_row(const std::vector<std::string>& row, TabWriterStyle style,
                    std::vector<std::size_t>& widths);

}  // namespace skiff::kubectl
