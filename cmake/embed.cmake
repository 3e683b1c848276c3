# Writes OUT: a C++ source defining `extern const std::string_view hearth::embedded::SYMBOL`
# with the bytes of IN. Hex-encoded so any content (quotes, NULs, long lines) is safe.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}"
  "// Generated from ${IN} by cmake/embed.cmake. Do not edit.\n"
  "#include <string_view>\n"
  "namespace hearth::embedded {\n"
  "namespace { const unsigned char kData[] = {${bytes} 0}; }\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}(reinterpret_cast<const char*>(kData), ${size});\n"
  "}  // namespace hearth::embedded\n")
