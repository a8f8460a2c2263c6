/* junit.h: a run's results as JUnit XML, as CI systems (Jenkins, GitLab, GitHub test reporters)
 * read it: one testsuite, one testcase per target (classname the database, name the region),
 * a <failure> for each target that is not ok, naming the URL of the request that failed (the
 * keyspace URL when check --verify's GET did); the testsuite's hostname is gethostname()'s. */
#ifndef TOKENFLEET_JUNIT_H
#define TOKENFLEET_JUNIT_H

#include <stdio.h>

#include "core/target.h"
#include "core/report.h"
#include "core/result.h"

/* Writes the XML document to out. None of the chosen libraries writes XML, so the escaping is
 * ours (junit.c): &, <, >, " and ' as entities; characters XML 1.0 cannot hold are replaced.
 * Returns TF_OK or TF_ERR_IO. */
enum tf_err junit_write(FILE *out, const struct report_meta *meta,
                        const struct target_list *targets, const struct result *results);

/* Writes s to out escaped for XML text and attribute values. Returns 0, or -1 on a write
 * error. */
int junit_escape(FILE *out, const char *s);

#endif
