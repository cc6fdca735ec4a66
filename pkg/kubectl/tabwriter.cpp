#include "pkg/kubectl/tabwriter.h"

#include <algorithm>

namespace skiff::kubectl {
namespace {

using Line = std::vector<std::string>;  // tab-terminated cells, then the trailing text

class Aligner {
 public:
  Aligner(std::vector<Line> lines, TabWriterStyle style)
      : lines_(std::move(lines)), style_(style) {}

  std::string run() {
    format(0, lines_.size());
    return std::move(out_);
  }

 private:
  static std::size_t cells(const Line& line) { return line.size() - 1; }

  // Go's tabwriter.format: find blocks of consecutive lines having a cell in this column,
  // size the column per block, and recurse into the next column within the block.
  void format(std::size_t line0, std::size_t line1) {
    const std::size_t column = widths_.size();
    for (std::size_t current = line0; current < line1; ++current) {
      if (column >= cells(lines_[current])) continue;
      write_lines(line0, current);
      line0 = current;
      std::size_t width = static_cast<std::size_t>(style_.min_width);
      for (; current < line1 && column < cells(lines_[current]); ++current)
        width = std::max(width, display_width(lines_[current][column]) + style_.padding);
      widths_.push_back(width);
      format(line0, current);
      widths_.pop_back();
      line0 = current;
      --current;  // the for-loop increment revisits `current`, which ended the block
    }
    write_lines(line0, line1);
  }

  void write_lines(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const Line& line = lines_[i];
      for (std::size_t j = 0; j < line.size(); ++j) {
        out_ += line[j];
        if (j < cells(line) && j < widths_.size()) {
          std::size_t w = display_width(line[j]);
          if (widths_[j] > w) out_.append(widths_[j] - w, ' ');
        }
      }
      if (i + 1 < lines_.size() || ends_with_newline_) out_ += '\n';
    }
  }

 public:
  bool ends_with_newline_ = true;

 private:
  std::vector<Line> lines_;
  TabWriterStyle style_;
  std::vector<std::size_t> widths_;
  std::string out_;
};

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++width;
  return width;
}

std::string tab_align(std::string_view text, TabWriterStyle style) {
  std::vector<Line> lines;
  bool trailing_newline = !text.empty() && text.back() == '\n';
  if (trailing_newline) text.remove_suffix(1);
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('\n', start);
    std::string_view raw =
        text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    Line line;
    std::size_t cell_start = 0;
    for (std::size_t tab; (tab = raw.find('\t', cell_start)) != std::string_view::npos;
         cell_start = tab + 1)
      line.emplace_back(raw.substr(cell_start, tab - cell_start));
    line.emplace_back(raw.substr(cell_start));
    lines.push_back(std::move(line));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  Aligner aligner(std::move(lines), style);
  aligner.ends_with_newline_ = trailing_newline;
  return aligner.run();
}

std::string align_rows(const std::vector<std::vector<std::string>>& rows, TabWriterStyle style,
                       std::vector<std::size_t>* widths) {
  std::vector<std::size_t> local;
  std::vector<std::size_t>& w = widths ? *widths : local;
  w.clear();
  for (const auto& row : rows)
    for (std::size_t j = 0; j + 1 < row.size(); ++j) {
      if (w.size() <= j) w.resize(j + 1, static_cast<std::size_t>(style.min_width));
      w[j] = std::max(w[j], display_width(row[j]) + style.padding);
    }
  std::string out;
  for (const auto& row : rows) out += pad_row(row, style, w);
  return out;
}

std::string pad_row(const std::vector<std::string>& row, TabWriterStyle style,
                    std::vector<std::size_t>& widths) {
  std::string out;
  for (std::size_t j = 0; j < row.size(); ++j) {
    out += row[j];
    if (j + 1 == row.size()) break;
    if (widths.size() <= j) widths.resize(j + 1, static_cast<std::size_t>(style.min_width));
    std::size_t cell = display_width(row[j]);
    widths[j] = std::max(widths[j], cell + style.padding);
    out.append(widths[j] - cell, ' ');
  }
  return out + "\n";
}

}  // namespace skiff::kubectl
