<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- English plural forms for the strings that count: Qt's tr("%n memories", "", n) picks singular or plural only
     through a translation, so the English one ships with the program. -->
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>Inspector::MainWindow</name>
    <message numerus="yes">
        <source>There are %Ln rows; showing the last.</source>
        <translation>
            <numerusform>There is %Ln row; showing it.</numerusform>
            <numerusform>There are %Ln rows; showing the last.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The last check of this store found %n findings.</source>
        <translation>
            <numerusform>The last check of this store found %n finding.</numerusform>
            <numerusform>The last check of this store found %n findings.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>⚠ %n findings</source>
        <translation>
            <numerusform>⚠ %n finding</numerusform>
            <numerusform>⚠ %n findings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move %Ln memories to the Trash?
They are tombstoned as subcog does and can be restored from View ▸ Trash.</source>
        <translation>
            <numerusform>Move %Ln memory to the Trash?
It is tombstoned as subcog does and can be restored from View ▸ Trash.</numerusform>
            <numerusform>Move %Ln memories to the Trash?
They are tombstoned as subcog does and can be restored from View ▸ Trash.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No memory matches in that time. The newest memory the rest of the filter matches was created %1 (%Ln days ago).</source>
        <translation>
            <numerusform>No memory matches in that time. The newest memory the rest of the filter matches was created %1 (%Ln day ago).</numerusform>
            <numerusform>No memory matches in that time. The newest memory the rest of the filter matches was created %1 (%Ln days ago).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories moved to the Trash</source>
        <translation>
            <numerusform>%Ln memory moved to the Trash</numerusform>
            <numerusform>%Ln memories moved to the Trash</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This removes %n memories from the store. Undo can write them back while the inspector is open.
Type %1 to confirm:</source>
        <translation>
            <numerusform>This removes %n memory from the store. Undo can write it back while the inspector is open.
Type %1 to confirm:</numerusform>
            <numerusform>This removes %n memories from the store. Undo can write them back while the inspector is open.
Type %1 to confirm:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories deleted permanently</source>
        <translation>
            <numerusform>%Ln memory deleted permanently</numerusform>
            <numerusform>%Ln memories deleted permanently</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories restored</source>
        <translation>
            <numerusform>%Ln memory restored</numerusform>
            <numerusform>%Ln memories restored</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln in the Trash</source>
        <translation>
            <numerusform>%Ln in the Trash</numerusform>
            <numerusform>%Ln in the Trash</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories (tombstoned included)</source>
        <translation>
            <numerusform>%Ln memory (tombstoned included)</numerusform>
            <numerusform>%Ln memories (tombstoned included)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories (tombstoned hidden)</source>
        <translation>
            <numerusform>%Ln memory (tombstoned hidden)</numerusform>
            <numerusform>%Ln memories (tombstoned hidden)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of the selected memories could not be read: %1</source>
        <translation>
            <numerusform>%n of the selected memories could not be read: %1</numerusform>
            <numerusform>%n of the selected memories could not be read: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::MemoryTableModel</name>
    <message numerus="yes">
        <source>%1 of %Ln memories written to %2.</source>
        <translation>
            <numerusform>%1 of %Ln memory written to %2.</numerusform>
            <numerusform>%1 of %Ln memories written to %2.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::OverviewDock</name>
    <message numerus="yes">
        <source>Health: ⚠ %n findings at the last check.</source>
        <translation>
            <numerusform>Health: ⚠ %n finding at the last check.</numerusform>
            <numerusform>Health: ⚠ %n findings at the last check.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::StoreHealthDock</name>
    <message numerus="yes">
        <source>Checking… %n findings so far</source>
        <translation>
            <numerusform>Checking… %n finding so far</numerusform>
            <numerusform>Checking… %n findings so far</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Check cancelled: %n findings before it stopped</source>
        <translation>
            <numerusform>Check cancelled: %n finding before it stopped</numerusform>
            <numerusform>Check cancelled: %n findings before it stopped</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n findings in %1 classes (%2)</source>
        <translation>
            <numerusform>%n finding in %1 classes (%2)</numerusform>
            <numerusform>%n findings in %1 classes (%2)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repair cancelled: %n memories were repaired before it stopped.</source>
        <translation>
            <numerusform>Repair cancelled: %n memory was repaired before it stopped.</numerusform>
            <numerusform>Repair cancelled: %n memories were repaired before it stopped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repaired %n memories.</source>
        <translation>
            <numerusform>Repaired %n memory.</numerusform>
            <numerusform>Repaired %n memories.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped (changed since the check, or left for a person).</source>
        <translation>
            <numerusform>%n skipped (changed since the check, or left for a person).</numerusform>
            <numerusform>%n skipped (changed since the check, or left for a person).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n memories would change</source>
        <translation>
            <numerusform>%n memory would change</numerusform>
            <numerusform>%n memories would change</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%n changes)</source>
        <translation>
            <numerusform>(%n change)</numerusform>
            <numerusform>(%n changes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Fix %1 (%n memories)</source>
        <translation>
            <numerusform>Fix %1 (%n memory)</numerusform>
            <numerusform>Fix %1 (%n memories)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n memories put back.</source>
        <translation>
            <numerusform>%1: %n memory put back.</numerusform>
            <numerusform>%1: %n memories put back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n left as they are (another writer changed them since): %1</source>
        <translation>
            <numerusform>%n left as it is (another writer changed it since): %1</numerusform>
            <numerusform>%n left as they are (another writer changed them since): %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n could not be written and are as they were: %1</source>
        <translation>
            <numerusform>%n could not be written and is as it was: %1</numerusform>
            <numerusform>%n could not be written and are as they were: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::SimilarMemoriesDialog</name>
    <message numerus="yes">
        <source>The %n memories nearest to %1 by cosine similarity, among %2 vectors in %3.</source>
        <translation>
            <numerusform>The %n memory nearest to %1 by cosine similarity, among %2 vectors in %3.</numerusform>
            <numerusform>The %n memories nearest to %1 by cosine similarity, among %2 vectors in %3.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n near vectors of tombstoned memories or of no memory are left out.</source>
        <translation>
            <numerusform>%n near vector of a tombstoned memory or of no memory is left out.</numerusform>
            <numerusform>%n near vectors of tombstoned memories or of no memory are left out.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n vectors of other dimensions are not compared.</source>
        <translation>
            <numerusform>%n vector of other dimensions is not compared.</numerusform>
            <numerusform>%n vectors of other dimensions are not compared.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::HistoryTab</name>
    <message numerus="yes">
        <source>%1: %n events of this memory.</source>
        <translation>
            <numerusform>%1: %n event of this memory.</numerusform>
            <numerusform>%1: %n events of this memory.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>HMAC chain: every link holds (%n signed entries).</source>
        <translation>
            <numerusform>HMAC chain: every link holds (%n signed entry).</numerusform>
            <numerusform>HMAC chain: every link holds (%n signed entries).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>⚠ HMAC chain: %n breaks, the first at line %1.</source>
        <translation>
            <numerusform>⚠ HMAC chain: %n break, the first at line %1.</numerusform>
            <numerusform>⚠ HMAC chain: %n breaks, the first at line %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n lines are not JSON (lines %1).</source>
        <translation>
            <numerusform>%n line is not JSON (line %1).</numerusform>
            <numerusform>%n lines are not JSON (lines %1).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::EntitiesTab</name>
    <message numerus="yes">
        <source>This memory mentions %n entities.</source>
        <translation>
            <numerusform>This memory mentions %n entity.</numerusform>
            <numerusform>This memory mentions %n entities.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::EntitiesDock</name>
    <message numerus="yes">
        <source>%n entities.</source>
        <translation>
            <numerusform>%n entity.</numerusform>
            <numerusform>%n entities.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n relationships:</source>
        <translation>
            <numerusform>%n relationship:</numerusform>
            <numerusform>%n relationships:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::EdgesTab</name>
    <message numerus="yes">
        <source>%n edges re-created.</source>
        <translation>
            <numerusform>%n edge re-created.</numerusform>
            <numerusform>%n edges re-created.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n edges re-created.</source>
        <translation>
            <numerusform>%1: %n edge re-created.</numerusform>
            <numerusform>%1: %n edges re-created.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n edges removed.</source>
        <translation>
            <numerusform>%1: %n edge removed.</numerusform>
            <numerusform>%1: %n edges removed.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n left as they are (another writer changed them since).</source>
        <translation>
            <numerusform>%n left as it is (another writer changed it since).</numerusform>
            <numerusform>%n left as they are (another writer changed them since).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n edges in memory_edges.</source>
        <translation>
            <numerusform>%n edge in memory_edges.</numerusform>
            <numerusform>%n edges in memory_edges.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Lost edges: memory_edges lacks this summary&apos;s edges to %n of its sources (subcog deletes a memory&apos;s edges whenever it writes the memory again).</source>
        <translation>
            <numerusform>Lost edges: memory_edges lacks this summary&apos;s edges to %n of its sources (subcog deletes a memory&apos;s edges whenever it writes the memory again).</numerusform>
            <numerusform>Lost edges: memory_edges lacks this summary&apos;s edges to %n of its sources (subcog deletes a memory&apos;s edges whenever it writes the memory again).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::LineageDock</name>
    <message numerus="yes">
        <source>%n memories</source>
        <translation>
            <numerusform>%n memory</numerusform>
            <numerusform>%n memories</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n relations</source>
        <translation>
            <numerusform>%n relation</numerusform>
            <numerusform>%n relations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::StoresWindow</name>
    <message numerus="yes">
        <source>Counting the memories of %n stores…</source>
        <translation>
            <numerusform>Counting the memories of %n store…</numerusform>
            <numerusform>Counting the memories of %n stores…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n stores found.</source>
        <translation>
            <numerusform>%n store found.</numerusform>
            <numerusform>%n stores found.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::MergeDialog</name>
    <message numerus="yes">
        <source>Dry run, nothing written. Of %n memories in the source:</source>
        <translation>
            <numerusform>Dry run, nothing written. Of %n memory in the source:</numerusform>
            <numerusform>Dry run, nothing written. Of %n memories in the source:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warnings:</source>
        <translation>
            <numerusform>%n warning:</numerusform>
            <numerusform>%n warnings:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::TrashDialog</name>
    <message numerus="yes">
        <source>%n half-tombstoned memories are left out: tombstoned_at is set but the status is not tombstoned, so subcog still lists them as live. Repair half-tombstoned first.</source>
        <translation>
            <numerusform>%n half-tombstoned memory is left out: tombstoned_at is set but the status is not tombstoned, so subcog still lists it as live. Repair half-tombstoned first.</numerusform>
            <numerusform>%n half-tombstoned memories are left out: tombstoned_at is set but the status is not tombstoned, so subcog still lists them as live. Repair half-tombstoned first.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tombstoned memories have no tombstone time and are left out: only 0 days removes them.</source>
        <translation>
            <numerusform>%n tombstoned memory has no tombstone time and is left out: only 0 days removes it.</numerusform>
            <numerusform>%n tombstoned memories have no tombstone time and are left out: only 0 days removes them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tombstoned memories are left out because their tombstoned_at is not a time: %1.</source>
        <translation>
            <numerusform>%n tombstoned memory is left out because its tombstoned_at is not a time: %1.</numerusform>
            <numerusform>%n tombstoned memories are left out because their tombstoned_at is not a time: %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tombstoned memories (tombstoned on or before %1) would be deleted for good: their rows, full-text rows, edges, vectors and graph mentions.</source>
        <translation>
            <numerusform>%n tombstoned memory (tombstoned on or before %1) would be deleted for good: its row, full-text rows, edges, vector and graph mentions.</numerusform>
            <numerusform>%n tombstoned memories (tombstoned on or before %1) would be deleted for good: their rows, full-text rows, edges, vectors and graph mentions.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n live memories have expired and would be tombstoned (status tombstoned, tombstoned_at now), as Delete does.</source>
        <translation>
            <numerusform>%n live memory has expired and would be tombstoned (status tombstoned, tombstoned_at now), as Delete does.</numerusform>
            <numerusform>%n live memories have expired and would be tombstoned (status tombstoned, tombstoned_at now), as Delete does.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n memories for good?</source>
        <translation>
            <numerusform>Delete %n memory for good?</numerusform>
            <numerusform>Delete %n memories for good?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n memories were deleted before it stopped.</source>
        <translation>
            <numerusform>Stopped: %n memory was deleted before it stopped.</numerusform>
            <numerusform>Stopped: %n memories were deleted before it stopped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n memories for good.</source>
        <translation>
            <numerusform>Deleted %n memory for good.</numerusform>
            <numerusform>Deleted %n memories for good.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n memories were tombstoned before it stopped.</source>
        <translation>
            <numerusform>Stopped: %n memory was tombstoned before it stopped.</numerusform>
            <numerusform>Stopped: %n memories were tombstoned before it stopped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tombstoned %n expired memories.</source>
        <translation>
            <numerusform>Tombstoned %n expired memory.</numerusform>
            <numerusform>Tombstoned %n expired memories.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped (restored or changed since the preview): %1</source>
        <translation>
            <numerusform>%n skipped (restored or changed since the preview): %1</numerusform>
            <numerusform>%n skipped (restored or changed since the preview): %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of them are sources of summaries that stay, which will then name a missing source (marked ⚠; check&apos;s bad-summary).</source>
        <translation>
            <numerusform>%n of them is a source of summaries that stay, which will then name a missing source (marked ⚠; check&apos;s bad-summary).</numerusform>
            <numerusform>%n of them are sources of summaries that stay, which will then name a missing source (marked ⚠; check&apos;s bad-summary).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tombstone %n expired memories</source>
        <translation>
            <numerusform>Tombstone %n expired memory</numerusform>
            <numerusform>Tombstone %n expired memories</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::DuplicateMerger</name>
    <message numerus="yes">
        <source>Merge %n duplicates into %1</source>
        <translation>
            <numerusform>Merge %n duplicate into %1</numerusform>
            <numerusform>Merge %n duplicates into %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n memories merged into %1 and tombstoned.</source>
        <translation>
            <numerusform>%n memory merged into %1 and tombstoned.</numerusform>
            <numerusform>%n memories merged into %1 and tombstoned.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n supersedes edges added.</source>
        <translation>
            <numerusform>%n supersedes edge added.</numerusform>
            <numerusform>%n supersedes edges added.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::DuplicatesDialog</name>
    <message numerus="yes">
        <source>%n groups of duplicates</source>
        <translation>
            <numerusform>%n group of duplicates</numerusform>
            <numerusform>%n groups of duplicates</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n records could not be read.</source>
        <translation>
            <numerusform>%n record could not be read.</numerusform>
            <numerusform>%n records could not be read.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Merging %n memories into %1…</source>
        <translation>
            <numerusform>Merging %n memory into %1…</numerusform>
            <numerusform>Merging %n memories into %1…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::BulkEditCommand</name>
    <message numerus="yes">
        <source>Bulk edit: %1 on %Ln memories</source>
        <translation>
            <numerusform>Bulk edit: %1 on %Ln memory</numerusform>
            <numerusform>Bulk edit: %1 on %Ln memories</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %Ln memories put back.</source>
        <translation>
            <numerusform>%1: %Ln memory put back.</numerusform>
            <numerusform>%1: %Ln memories put back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %Ln memories written again.</source>
        <translation>
            <numerusform>%1: %Ln memory written again.</numerusform>
            <numerusform>%1: %Ln memories written again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln were already so.</source>
        <translation>
            <numerusform>%Ln was already so.</numerusform>
            <numerusform>%Ln were already so.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln left as they are (another writer changed them since): %1</source>
        <translation>
            <numerusform>%Ln left as it is (another writer changed it since): %1</numerusform>
            <numerusform>%Ln left as they are (another writer changed them since): %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln could not be written and are as they were: %1 (%2)</source>
        <translation>
            <numerusform>%Ln could not be written and is as it was: %1 (%2)</numerusform>
            <numerusform>%Ln could not be written and are as they were: %1 (%2)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Inspector::BulkEditDialog</name>
    <message numerus="yes">
        <source>The %Ln selected memories</source>
        <translation>
            <numerusform>The %Ln selected memory</numerusform>
            <numerusform>The %Ln selected memories</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Everything the filter shows (%Ln memories)</source>
        <translation>
            <numerusform>Everything the filter shows (%Ln memory)</numerusform>
            <numerusform>Everything the filter shows (%Ln memories)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Writing %Ln memories…</source>
        <translation>
            <numerusform>Writing %Ln memory…</numerusform>
            <numerusform>Writing %Ln memories…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Preview stopped after %Ln memories were read; preview again to apply.</source>
        <translation>
            <numerusform>Preview stopped after %Ln memory was read; preview again to apply.</numerusform>
            <numerusform>Preview stopped after %Ln memories were read; preview again to apply.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing to change: the edit leaves all %Ln memories as they are.</source>
        <translation>
            <numerusform>Nothing to change: the edit leaves the %Ln memory as it is.</numerusform>
            <numerusform>Nothing to change: the edit leaves all %Ln memories as they are.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln memories will change</source>
        <translation>
            <numerusform>%Ln memory will change</numerusform>
            <numerusform>%Ln memories will change</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln read, %1 left as they are.</source>
        <translation>
            <numerusform>%Ln read, %1 left as they are.</numerusform>
            <numerusform>%Ln read, %1 left as they are.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln refused: the store cannot hold them as changed (listed below).</source>
        <translation>
            <numerusform>%Ln refused: the store cannot hold it as changed (listed below).</numerusform>
            <numerusform>%Ln refused: the store cannot hold them as changed (listed below).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %Ln memories were written, in whole batches; the rest are as they were.</source>
        <translation>
            <numerusform>Stopped: %Ln memory was written, in whole batches; the rest are as they were.</numerusform>
            <numerusform>Stopped: %Ln memories were written, in whole batches; the rest are as they were.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Written: %Ln memories.</source>
        <translation>
            <numerusform>Written: %Ln memory.</numerusform>
            <numerusform>Written: %Ln memories.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln already held the change.</source>
        <translation>
            <numerusform>%Ln already held the change.</numerusform>
            <numerusform>%Ln already held the change.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Skipped %Ln that another writer changed since the preview (listed below; not overwritten).</source>
        <translation>
            <numerusform>Skipped %Ln that another writer changed since the preview (listed below; not overwritten).</numerusform>
            <numerusform>Skipped %Ln that another writer changed since the preview (listed below; not overwritten).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln could not be written (listed below).</source>
        <translation>
            <numerusform>%Ln could not be written (listed below).</numerusform>
            <numerusform>%Ln could not be written (listed below).</numerusform>
        </translation>
    </message>
</context>
</TS>
