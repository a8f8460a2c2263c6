/* junit.c: JUnit XML. */
#include "core/junit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/utf8.h"

int junit_escape(FILE *out, const char *s)
{
    /* Bytes that are not UTF-8 become '?' first: XML could not carry them. */
    char *repaired = utf8_repaired(s);
    if (!repaired)
        return -1;
    s = repaired;
    int bad = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && !bad;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) { /* a whole multi-byte character: as it is, unless XML 1.0 forbids it */
            size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            const unsigned char *u = (const unsigned char *)s + i;
            int forbidden = (n == 3 && u[0] == 0xef && u[1] == 0xbf && u[2] >= 0xbe) /* FFFE/F */
                            || (n == 2 && u[0] == 0xc2 && u[1] <= 0x9f); /* C1 controls */
            bad |= forbidden ? fputc('?', out) == EOF : fwrite(s + i, 1, n, out) != n;
            i += n;
            continue;
        }
        switch (c) {
        case '&':
            bad |= fputs("&amp;", out) < 0;
            break;
        case '<':
            bad |= fputs("&lt;", out) < 0;
            break;
        case '>':
            bad |= fputs("&gt;", out) < 0;
            break;
        case '"':
            bad |= fputs("&quot;", out) < 0;
            break;
        case '\'':
            bad |= fputs("&apos;", out) < 0;
            break;
        case '\n':
            bad |= fputs("&#10;", out) < 0;
            break;
        case '\t':
            bad |= fputs("&#9;", out) < 0;
            break;
        default: /* other control characters are not allowed in XML 1.0 at all */
            bad |= fputc(c < 0x20 || c == 0x7f ? '?' : (int)c, out) == EOF;
        }
        i++;
    }
    free(repaired);
    return bad ? -1 : 0;
}

enum tf_err junit_write(FILE *out, const struct report_meta *meta,
                        const struct target_list *targets, const struct result *results)
{
    size_t failures = 0;
    for (size_t i = 0; i < targets->count; i++)
        failures += results[i].status != TF_STATUS_OK;
    double total = (double)(meta->finished_at.tv_sec - meta->started_at.tv_sec) +
                   (double)(meta->finished_at.tv_nsec - meta->started_at.tv_nsec) / 1e9;
    char stamp[32];
    clock_format_utc(meta->started_at, stamp);
    stamp[19] = '\0'; /* the schema's timestamp has no zone and no fraction: UTC is implied */
    /* The machine that ran the check, as Ant's task and Maven's Surefire write it: a CI server
     * collecting the files of several hosts tells them apart by it. */
    char host[256];
    if (gethostname(host, sizeof host) != 0 || !host[0])
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0'; /* POSIX leaves a truncated name unterminated */
    int bad = fprintf(out,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<testsuite name=\"tokenfleet %s\" tests=\"%zu\" failures=\"%zu\" "
                      "errors=\"0\" time=\"%.3f\" timestamp=\"%s\" hostname=\"",
                      meta->mode, targets->count, failures, total, stamp) < 0;
    bad |= junit_escape(out, host);
    bad |= fputs("\">\n  <properties/>\n", out) < 0;
    for (size_t i = 0; i < targets->count && !bad; i++) {
        const struct target *t = &targets->items[i];
        const struct result *r = &results[i];
        bad |= fputs("  <testcase classname=\"", out) < 0;
        bad |= junit_escape(out, t->db->name.value);
        bad |= fputs("\" name=\"", out) < 0;
        bad |= junit_escape(out, t->region->value);
        bad |= fprintf(out, "\" time=\"%.3f\"", (double)r->elapsed_ms / 1000.0) < 0;
        if (r->status == TF_STATUS_OK) {
            bad |= fputs("/>\n", out) < 0;
            continue;
        }
        bad |=
            fprintf(out, ">\n    <failure type=\"%s\" message=\"", tf_status_name(r->status)) < 0;
        bad |= junit_escape(out, r->error ? r->error : tf_status_name(r->status));
        /* The URL of the request that failed: a token's proof (check --verify's keyspace GET
         * once the token was had, an application token's keyspace GET or Data API call), else
         * the auth POST. */
        const struct attempt *last = r->n_attempts ? &r->attempts[r->n_attempts - 1] : NULL;
        int proof_step = last && last->step != STEP_AUTH && t->keyspace_url;
        bad |= fprintf(out, "\">status: %s&#10;http_status: %ld&#10;attempts: %zu&#10;%s%surl: ",
                       tf_status_name(r->status), r->http_status, r->n_attempts,
                       !proof_step               ? ""
                       : last->step == STEP_DATA ? "step: data_api"
                                                 : "step: keyspace",
                       proof_step ? "&#10;" : "") < 0;
        bad |= junit_escape(out, proof_step ? t->keyspace_url : t->url);
        if (r->n_attempts) {
            char id[REQUEST_ID_LEN + 1];
            attempt_request_id(&r->attempts[r->n_attempts - 1], id);
            bad |= fprintf(out, "&#10;request_id: %s", id) < 0;
        }
        bad |= fputs("</failure>\n  </testcase>\n", out) < 0;
    }
    bad |= fputs("  <system-out/>\n  <system-err/>\n</testsuite>\n", out) < 0;
    return bad ? TF_ERR_IO : TF_OK;
}
