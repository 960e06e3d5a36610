// PDF files made by hand for the tests, so that they need no PDF writer.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace gavah::testing {

// A PDF of `objects` (numbered from 1; the first is the catalogue) with a correct cross-reference
// table; `trailer` is added to the trailer dictionary after /Size and /Root.
inline std::string PdfOf(const std::vector<std::string>& objects, const std::string& trailer = "",
                         const std::string& header = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") {
  std::string pdf = header;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R" +
         (trailer.empty() ? "" : " " + trailer) + " >>\nstartxref\n" + std::to_string(xref) +
         "\n%%EOF\n";
  return pdf;
}

}  // namespace gavah::testing
