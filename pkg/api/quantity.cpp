#include "pkg/api/quantity.h"

#include <cctype>
#include <cmath>
#include <string>

namespace skiff::api {

namespace {

bool digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::optional<double> suffix_multiplier(std::string_view suffix) {
  if (suffix.empty()) return 1.0;
  if (suffix == "Ki") return std::pow(2.0, 10);
  if (suffix == "Mi") return std::pow(2.0, 20);
  if (suffix == "Gi") return std::pow(2.0, 30);
  if (suffix == "Ti") return std::pow(2.0, 40);
  if (suffix == "Pi") return std::pow(2.0, 50);
  if (suffix == "Ei") return std::pow(2.0, 60);
  if (suffix == "n") return 1e-9;
  if (suffix == "u") return 1e-6;
  if (suffix == "m") return 1e-3;
  if (suffix == "k") return 1e3;
  if (suffix == "M") return 1e6;
  if (suffix == "G") return 1e9;
  if (suffix == "T") return 1e12;
  if (suffix == "P") return 1e15;
  if (suffix == "E") return 1e18;
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view exponent = suffix.substr(1);
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
    if (exponent.empty() || exponent.size() > 3) return std::nullopt;
    for (char c : exponent) {
      if (!digit(c)) return std::nullopt;
    }
    return std::pow(10.0, std::stoi(std::string(suffix.substr(1))));
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_quantity(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  size_t start = i;
  bool digits = false, dot = false;
  for (; i < text.size(); ++i) {
    if (digit(text[i])) {
      digits = true;
    } else if (text[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  double number = std::stod(std::string(text.substr(start, i - start)));
  auto multiplier = suffix_multiplier(text.substr(i));
  if (!multiplier) return std::nullopt;
  return (negative ? -number : number) * *multiplier;
}

}  // namespace skiff::api
