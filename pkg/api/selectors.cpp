// Label selectors (LabelSelector): the text form as Kubernetes' labels.Parse lexes and parses it,
// the structured matchLabels/matchExpressions form, matching and canonical printing. Field
// selectors are in field_selectors.cpp.
#include "pkg/api/selectors.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pkg/api/errors.h"
#include "pkg/api/validation.h"

namespace skiff::api {

namespace {

// ---- Label selector lexer ---------------------------------------------------------------------
// Tokens as Kubernetes' labels.Lexer produces them: identifiers are runs of anything that is
// neither whitespace nor one of the special characters below.
enum class Token {
  End,
  Identifier,
  Comma,
  Open,
  Close,
  Bang,
  Equals,
  DoubleEquals,
  NotEquals,
  In,
  NotIn,
  Greater,
  Less
};

struct Lexeme {
  Token token;
  std::string text;
};

bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::vector<Lexeme> lex(std::string_view text) {
  std::vector<Lexeme> out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (is_special(c)) {
      std::string two(text.substr(i, 2));
      if (two == "==") {
        out.push_back({Token::DoubleEquals, two});
        i += 2;
      } else if (two == "!=") {
        out.push_back({Token::NotEquals, two});
        i += 2;
      } else {
        Token t = c == '='   ? Token::Equals
                  : c == '!' ? Token::Bang
                  : c == '(' ? Token::Open
                  : c == ')' ? Token::Close
                  : c == ',' ? Token::Comma
                  : c == '<' ? Token::Less
                             : Token::Greater;
        out.push_back({t, std::string(1, c)});
        ++i;
      }
      continue;
    }
    size_t start = i;
    while (i < text.size() && !is_space(text[i]) && !is_special(text[i])) ++i;
    std::string word(text.substr(start, i - start));
    Token t = word == "in" ? Token::In : word == "notin" ? Token::NotIn : Token::Identifier;
    out.push_back({t, std::move(word)});
  }
  out.push_back({Token::End, ""});
  return out;
}

[[noreturn]] void parse_error(const std::string& detail) {
  throw bad_request("unable to parse requirement: " + detail);
}

std::string describe(const Lexeme& lexeme) {
  return lexeme.token == Token::End ? "end of string" : lexeme.text;
}

void check_key(const std::string& key) {
  auto errors = validate_label_key(key);
  if (!errors.empty()) parse_error("key: Invalid value: \"" + key + "\": " + errors.front());
}

void check_value(const std::string& key, const std::string& value, size_t index) {
  auto errors = validate_label_value(value);
  if (!errors.empty()) {
    parse_error("values[" + std::to_string(index) + "][" + key + "]: Invalid value: \"" + value +
                "\": " + errors.front());
  }
}

class LabelParser {
 public:
  explicit LabelParser(std::string_view text) : lexemes_(lex(text)) {}

  std::vector<LabelSelector::Requirement> parse() {
    std::vector<LabelSelector::Requirement> requirements;
    if (peek().token == Token::End) return requirements;
    while (true) {
      requirements.push_back(requirement());
      const Lexeme& next = take();
      if (next.token == Token::End) break;
      if (next.token != Token::Comma) {
        parse_error("found '" + describe(next) + "', expected: ',' or 'end of string'");
      }
      if (peek().token == Token::End) parse_error("found 'end of string', expected: identifier");
    }
    return requirements;
  }

 private:
  const Lexeme& peek() const { return lexemes_[pos_]; }
  const Lexeme& take() {
    const Lexeme& l = lexemes_[pos_];
    if (pos_ + 1 < lexemes_.size()) ++pos_;
    return l;
  }

  LabelSelector::Requirement requirement() {
    using Op = LabelSelector::Op;
    if (peek().token == Token::Bang) {
      take();
      const Lexeme& key = take();
      if (key.token != Token::Identifier) {
        parse_error("found '" + describe(key) + "', expected: identifier after '!'");
      }
      check_key(key.text);
      return {key.text, Op::DoesNotExist, {}};
    }
    const Lexeme& key = take();
    if (key.token != Token::Identifier) {
      parse_error("found '" + describe(key) + "', expected: identifier");
    }
    check_key(key.text);
    const Lexeme& op = peek();
    switch (op.token) {
      case Token::Comma:
      case Token::End:
        return {key.text, Op::Exists, {}};
      case Token::Equals:
      case Token::DoubleEquals:
      case Token::NotEquals: {
        take();
        std::string value;
        const Lexeme& next = peek();
        if (next.token == Token::Identifier || next.token == Token::In ||
            next.token == Token::NotIn) {
          value = take().text;
        } else if (next.token != Token::Comma && next.token != Token::End) {
          parse_error("found '" + describe(next) + "', expected: identifier");
        }
        check_value(key.text, value, 0);
        return {key.text, op.token == Token::NotEquals ? Op::NotEquals : Op::Equals, {value}};
      }
      case Token::In:
      case Token::NotIn: {
        Op set_op = op.token == Token::In ? Op::In : Op::NotIn;
        take();
        auto values = value_set(key.text);
        if (values.empty()) {
          parse_error("for 'in', 'notin' operators, values set can't be empty");
        }
        return {key.text, set_op, std::move(values)};
      }
      case Token::Greater:
      case Token::Less:
        parse_error("operator '" + op.text + "' is not supported for label selectors");
      default:
        parse_error("found '" + describe(op) + "', expected: '=', '!=', '==', 'in', notin'");
    }
  }

  std::vector<std::string> value_set(const std::string& key) {
    const Lexeme& open = take();
    if (open.token != Token::Open) parse_error("found '" + describe(open) + "', expected: '('");
    std::set<std::string> unique;
    std::vector<std::string> values;
    if (peek().token == Token::Close) {
      take();
      return values;
    }
    while (true) {
      std::string value;
      const Lexeme& next = peek();
      if (next.token == Token::Identifier || next.token == Token::In ||
          next.token == Token::NotIn) {
        value = take().text;
      } else if (next.token != Token::Comma && next.token != Token::Close) {
        parse_error("found '" + describe(next) + "', expected: ',', ')' or identifier");
      }
      check_value(key, value, values.size());
      if (unique.insert(value).second) values.push_back(value);
      const Lexeme& sep = take();
      if (sep.token == Token::Close) break;
      if (sep.token != Token::Comma) {
        parse_error("found '" + describe(sep) + "', expected: ',' or ')'");
      }
    }
    std::sort(values.begin(), values.end());
    return values;
  }

  std::vector<Lexeme> lexemes_;
  size_t pos_ = 0;
};

void sort_by_key(std::vector<LabelSelector::Requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

}  // namespace

// ---- LabelSelector ----------------------------------------------------------------------------

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector selector;
  selector.requirements_ = LabelParser(text).parse();
  sort_by_key(selector.requirements_);
  return selector;
}

LabelSelector LabelSelector::from_json(const Json& selector) {
  LabelSelector result;
  if (selector.is_null()) return result;
  if (!selector.is_object()) throw bad_request("a label selector must be an object");
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) throw bad_request("matchLabels must be an object");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) {
        throw bad_request("matchLabels[" + key + "] must be a string");
      }
      check_key(key);
      check_value(key, value.get<std::string>(), 0);
      result.requirements_.push_back({key, Op::Equals, {value.get<std::string>()}});
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->is_null()) {
    if (!it->is_array()) throw bad_request("matchExpressions must be a list");
    for (const auto& expr : *it) {
      std::string key = expr.value("key", "");
      std::string op = expr.value("operator", "");
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && v->is_array()) {
        for (const auto& value : *v) {
          if (!value.is_string()) throw bad_request("matchExpressions values must be strings");
          values.push_back(value.get<std::string>());
        }
      }
      check_key(key);
      Op parsed;
      if (op == "In" || op == "NotIn") {
        parsed = op == "In" ? Op::In : Op::NotIn;
        if (values.empty()) {
          parse_error("for 'in', 'notin' operators, values set can't be empty");
        }
        for (size_t i = 0; i < values.size(); ++i) check_value(key, values[i], i);
        std::sort(values.begin(), values.end());
        values.erase(std::unique(values.begin(), values.end()), values.end());
      } else if (op == "Exists" || op == "DoesNotExist") {
        parsed = op == "Exists" ? Op::Exists : Op::DoesNotExist;
        if (!values.empty()) {
          parse_error("values set must be empty for exists and does not exist");
        }
      } else {
        throw bad_request("\"" + op + "\" is not a valid label selector operator");
      }
      result.requirements_.push_back({key, parsed, std::move(values)});
    }
  }
  sort_by_key(result.requirements_);
  return result;
}

bool LabelSelector::matches(const Json& labels) const {
  auto lookup = [&](const std::string& key) -> const Json* {
    if (!labels.is_object()) return nullptr;
    auto it = labels.find(key);
    return it == labels.end() || !it->is_string() ? nullptr : &*it;
  };
  for (const auto& r : requirements_) {
    const Json* value = lookup(r.key);
    auto has_value = [&] {
      return value && std::find(r.values.begin(), r.values.end(),
                                value->get_ref<const std::string&>()) != r.values.end();
    };
    switch (r.op) {
      case Op::Equals:
      case Op::In:
        if (!has_value()) return false;
        break;
      case Op::NotEquals:
      case Op::NotIn:
        if (has_value()) return false;
        break;
      case Op::Exists:
        if (!value) return false;
        break;
      case Op::DoesNotExist:
        if (value) return false;
        break;
    }
  }
  return true;
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ',';
    auto joined = [&] {
      std::string s;
      for (const auto& v : r.values) s += (s.empty() ? "" : ",") + v;
      return s;
    };
    switch (r.op) {
      case Op::Equals:
        out += r.key + "=" + (r.values.empty() ? "" : r.values.front());
        break;
      case Op::NotEquals:
        out += r.key + "!=" + (r.values.empty() ? "" : r.values.front());
        break;
      case Op::In:
        out += r.key + " in (" + joined() + ")";
        break;
      case Op::NotIn:
        out += r.key + " notin (" + joined() + ")";
        break;
      case Op::Exists:
        out += r.key;
        break;
      case Op::DoesNotExist:
        out += "!" + r.key;
        break;
    }
  }
  return out;
}

}  // namespace skiff::api
