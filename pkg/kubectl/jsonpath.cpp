#include "pkg/kubectl/jsonpath.h"

#include <optional>
#include <variant>

#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {
// The parsed expression's types sit in a named namespace: JsonPath::Node, a member of a class
// with linkage, holds them.
namespace jsonpath_steps {

struct Step;
using Steps = std::vector<Step>;

struct Filter {
  Steps left;                   // relative to @
  std::string op;               // "" = existence test
  std::optional<Json> literal;  // right side when it is a literal
  Steps right;                  // right side when it is @-relative
};

struct Step {
  enum class Type { Field, Wildcard, Index, Slice, Filter, Recursive };
  Step(Type t, std::string f = "") : type(t), field(std::move(f)) {}
  Type type;
  std::string field;  // Field, Recursive ("" = everything below)
  long long index = 0, end = 0;
  bool has_start = false, has_end = false;
  std::shared_ptr<Filter> filter;
};

}  // namespace jsonpath_steps

namespace {

using jsonpath_steps::Filter;
using jsonpath_steps::Step;
using jsonpath_steps::Steps;

[[noreturn]] void parse_fail(const std::string& text, const std::string& why) {
  throw usage_error("error parsing jsonpath " + text + ", " + why);
}

class PathParser {
 public:
  PathParser(std::string_view text, const std::string& whole) : s_(text), whole_(whole) {}

  Steps parse_all() {
    Steps steps = parse_steps();
    skip_spaces();
    if (pos_ != s_.size())
      parse_fail(whole_, "unexpected \"" + std::string(s_.substr(pos_)) + "\"");
    return steps;
  }

  // Steps until something that is not a step (operator, ')', end).
  Steps parse_steps() {
    Steps steps;
    skip_spaces();
    if (peek() == '$' || peek() == '@') ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '.') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '.') {
          pos_ += 2;
          Step step(Step::Type::Recursive);
          if (peek() == '*')
            ++pos_;
          else if (peek() != '[')
            step.field = identifier();
          steps.push_back(std::move(step));
          continue;
        }
        ++pos_;
        if (peek() == '*') {
          ++pos_;
          steps.emplace_back(Step::Type::Wildcard);
        } else if (pos_ < s_.size() && s_[pos_] != '[' && s_[pos_] != '.') {
          steps.emplace_back(Step::Type::Field, identifier());
        }
      } else if (c == '[') {
        steps.push_back(bracket());
      } else {
        break;
      }
    }
    return steps;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }

  std::string identifier() {
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        out += s_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      if (c == '.' || c == '[' || c == ' ' || c == ')' || c == '=' || c == '!' || c == '<' ||
          c == '>' || c == ',')
        break;
      out += c;
      ++pos_;
    }
    if (out.empty())
      parse_fail(whole_, "expected a field name at \"" + std::string(s_.substr(pos_)) + "\"");
    return out;
  }

  std::string quoted() {
    char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) parse_fail(whole_, "unterminated string");
    ++pos_;
    return out;
  }

  long long number() {
    std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (start == pos_) parse_fail(whole_, "expected a number");
    return std::stoll(std::string(s_.substr(start, pos_ - start)));
  }

  void expect(char c) {
    skip_spaces();
    if (peek() != c) parse_fail(whole_, std::string("expected '") + c + "'");
    ++pos_;
  }

  Step bracket() {
    ++pos_;  // '['
    skip_spaces();
    Step step(Step::Type::Field);
    char c = peek();
    if (c == '*') {
      ++pos_;
      step.type = Step::Type::Wildcard;
    } else if (c == '\'' || c == '"') {
      step.field = quoted();
    } else if (c == '?') {
      ++pos_;
      expect('(');
      step.type = Step::Type::Filter;
      step.filter = std::make_shared<Filter>(filter());
      expect(')');
    } else {
      step.type = Step::Type::Index;
      if (peek() != ':') {
        step.index = number();
        step.has_start = true;
      }
      skip_spaces();
      if (peek() == ':') {
        ++pos_;
        step.type = Step::Type::Slice;
        skip_spaces();
        if (peek() != ']') {
          step.end = number();
          step.has_end = true;
        }
      }
    }
    expect(']');
    return step;
  }

  Filter filter() {
    Filter f;
    skip_spaces();
    f.left = parse_steps();
    skip_spaces();
    static constexpr std::string_view kOps[] = {"==", "!=", "<=", ">=", "<", ">"};
    for (auto op : kOps)
      if (s_.substr(pos_).starts_with(op)) {
        f.op = std::string(op);
        pos_ += op.size();
        break;
      }
    if (f.op.empty()) return f;
    skip_spaces();
    char c = peek();
    if (c == '\'' || c == '"') {
      f.literal = Json(quoted());
    } else if (c == '@' || c == '$') {
      f.right = parse_steps();
    } else {
      std::size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != ')' && s_[pos_] != ' ') ++pos_;
      std::string word(s_.substr(start, pos_ - start));
      Json value = Json::parse(word, nullptr, false);
      f.literal = value.is_discarded() ? Json(word) : value;
    }
    return f;
  }

  std::string_view s_;
  const std::string& whole_;
  std::size_t pos_ = 0;
};

void collect_recursive(const Json& node, const std::string& field, std::vector<Json>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (field.empty() || key == field) out.push_back(value);
    }
    for (const auto& [key, value] : node.items()) collect_recursive(value, field, out);
  } else if (node.is_array()) {
    for (const auto& value : node) {
      if (field.empty()) out.push_back(value);
      collect_recursive(value, field, out);
    }
  }
}

std::vector<Json> evaluate(const Steps& steps, const Json& root);

bool compare(const Json& a, const std::string& op, const Json& b) {
  if (op == "==")
    return a == b || (a.is_number() && b.is_number() && a.get<double>() == b.get<double>());
  if (op == "!=") return !compare(a, "==", b);
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
  }
  if (a.is_string() && b.is_string()) {
    const auto &x = a.get_ref<const std::string&>(), &y = b.get_ref<const std::string&>();
    return op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
  }
  return false;
}

bool filter_matches(const Filter& f, const Json& item) {
  std::vector<Json> left = evaluate(f.left, item);
  if (f.op.empty()) return !left.empty();
  if (left.empty()) return false;
  Json right;
  if (f.literal) {
    right = *f.literal;
  } else {
    auto values = evaluate(f.right, item);
    if (values.empty()) return false;
    right = values[0];
  }
  return compare(left[0], f.op, right);
}

std::vector<Json> apply_step(const Step& step, const std::vector<Json>& input) {
  std::vector<Json> out;
  for (const auto& node : input) {
    switch (step.type) {
      case Step::Type::Field:
        if (node.is_object()) {
          auto it = node.find(step.field);
          if (it != node.end()) out.push_back(*it);
        }
        break;
      case Step::Type::Wildcard:
        if (node.is_object() || node.is_array())
          for (const auto& value : node) out.push_back(value);
        break;
      case Step::Type::Index:
        if (node.is_array()) {
          long long n = static_cast<long long>(node.size());
          long long i = step.index < 0 ? n + step.index : step.index;
          if (i >= 0 && i < n) out.push_back(node[static_cast<std::size_t>(i)]);
        }
        break;
      case Step::Type::Slice:
        if (node.is_array()) {
          long long n = static_cast<long long>(node.size());
          long long from = step.has_start ? (step.index < 0 ? n + step.index : step.index) : 0;
          long long to = step.has_end ? (step.end < 0 ? n + step.end : step.end) : n;
          for (long long i = std::max(0LL, from); i < std::min(n, to); ++i)
            out.push_back(node[static_cast<std::size_t>(i)]);
        }
        break;
      case Step::Type::Filter:
        if (node.is_array()) {
          for (const auto& item : node)
            if (filter_matches(*step.filter, item)) out.push_back(item);
        } else if (node.is_object() && filter_matches(*step.filter, node)) {
          out.push_back(node);
        }
        break;
      case Step::Type::Recursive:
        collect_recursive(node, step.field, out);
        break;
    }
  }
  return out;
}

std::vector<Json> evaluate(const Steps& steps, const Json& root) {
  std::vector<Json> current{root};
  for (const auto& step : steps) current = apply_step(step, current);
  return current;
}

std::string unescape_literal(std::string_view body) {
  std::string out;
  for (std::size_t i = 1; i + 1 < body.size(); ++i) {
    if (body[i] == '\\' && i + 2 < body.size()) {
      char c = body[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      out += body[i];
    }
  }
  return out;
}

}  // namespace

struct JsonPath::Node {
  enum class Type { Text, Expression, Range } type;
  std::string text;
  Steps steps;
  std::vector<std::unique_ptr<Node>> body;  // Range
};

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

std::string jsonpath_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

JsonPath JsonPath::parse(const std::string& template_text) {
  std::string text = template_text;
  if (text.find('{') == std::string::npos) {  // kubectl's relaxed form: "metadata.name"
    text =
        "{" + std::string(text.starts_with(".") || text.starts_with("$") ? "" : ".") + text + "}";
  }
  JsonPath path;
  std::vector<std::vector<std::unique_ptr<Node>>*> stack{&path.nodes_};
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find('{', pos);
    if (open != pos) {
      auto node = std::make_unique<Node>();
      node->type = Node::Type::Text;
      node->text = text.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
      stack.back()->push_back(std::move(node));
      if (open == std::string::npos) break;
    }
    // Find the matching '}' outside quotes.
    std::size_t close = open + 1;
    char quote = 0;
    for (; close < text.size(); ++close) {
      char c = text[close];
      if (quote) {
        if (c == '\\')
          ++close;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '}') {
        break;
      }
    }
    if (close >= text.size()) parse_fail(template_text, "unclosed action");
    std::string inner = text.substr(open + 1, close - open - 1);
    while (!inner.empty() && inner.front() == ' ') inner.erase(0, 1);
    while (!inner.empty() && inner.back() == ' ') inner.pop_back();
    pos = close + 1;
    auto node = std::make_unique<Node>();
    if (inner == "end") {
      if (stack.size() == 1) parse_fail(template_text, "{end} without {range}");
      stack.pop_back();
      continue;
    }
    if (inner.starts_with("range ")) {
      node->type = Node::Type::Range;
      node->steps = PathParser(std::string_view(inner).substr(6), template_text).parse_all();
      auto* body = &node->body;
      stack.back()->push_back(std::move(node));
      stack.push_back(body);
      continue;
    }
    if (!inner.empty() && (inner.front() == '"' || inner.front() == '\'')) {
      node->type = Node::Type::Text;
      node->text = unescape_literal(inner);
    } else {
      node->type = Node::Type::Expression;
      node->steps = PathParser(inner, template_text).parse_all();
    }
    stack.back()->push_back(std::move(node));
  }
  if (stack.size() != 1) parse_fail(template_text, "{range} without {end}");
  return path;
}

namespace {

void render(const std::vector<std::unique_ptr<JsonPath::Node>>& nodes, const Json& data,
            std::string& out);

}  // namespace

std::string JsonPath::execute(const Json& data) const {
  std::string out;
  render(nodes_, data, out);
  return out;
}

std::vector<Json> JsonPath::values(const Json& data) const {
  std::vector<Json> out;
  for (const auto& node : nodes_)
    if (node->type == Node::Type::Expression) {
      auto found = evaluate(node->steps, data);
      out.insert(out.end(), found.begin(), found.end());
    }
  return out;
}

namespace {

void render(const std::vector<std::unique_ptr<JsonPath::Node>>& nodes, const Json& data,
            std::string& out) {
  using Type = JsonPath::Node::Type;
  for (const auto& node : nodes) {
    switch (node->type) {
      case Type::Text:
        out += node->text;
        break;
      case Type::Expression: {
        auto found = evaluate(node->steps, data);
        for (std::size_t i = 0; i < found.size(); ++i) {
          if (i) out += ' ';
          out += jsonpath_text(found[i]);
        }
        break;
      }
      case Type::Range: {
        auto found = evaluate(node->steps, data);
        // `{range .items}` walks the list itself; `{range .items[*]}` walks the results.
        if (found.size() == 1 && found[0].is_array() &&
            (node->steps.empty() || node->steps.back().type == Step::Type::Field)) {
          Json list = found[0];
          found.assign(list.begin(), list.end());
        }
        for (const auto& item : found) render(node->body, item, out);
        break;
      }
    }
  }
}

}  // namespace

}  // namespace skiff::kubectl
