import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The case list with its filters beside the testimony being read.
Page {
    id: page
    objectName: "deskPage"
    Component.onCompleted: search.forceActiveFocus()
    function applyFilter() {
        desk.filter(search.text, stateFilter.currentValue, tagFilter.currentIndex > 0 ? tagFilter.currentText : "",
                    fromDate.text, toDate.text)
    }
    function stateName(s) {
        return s === "new" ? qsTr("new") : s === "opened" ? qsTr("opened")
             : s === "annotated" ? qsTr("annotated") : s === "replied" ? qsTr("replied")
             : s === "exported" ? qsTr("exported") : s === "tampered" ? qsTr("TAMPERED")
             : s === "withheld" ? qsTr("WITHHELD by the server") : s === "deleted" ? qsTr("deleted") : s
    }

    Shortcut { sequence: "Ctrl+F"; onActivated: search.forceActiveFocus() }
    Shortcut { sequence: "F5"; enabled: !desk.busy; onActivated: desk.sync() }
    Shortcut { sequence: "Ctrl+Shift+O"; enabled: !desk.busy; onActivated: desk.openAll() }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 6

        // What to do with the whole store.
        RowLayout {
            Layout.fillWidth: true
            Button {
                objectName: "syncButton"
                text: qsTr("Sync")
                enabled: !desk.busy
                Accessible.name: qsTr("Sync: fetch new testimony and colleagues' shares from the server (F5)")
                onClicked: desk.sync()
            }
            Button {
                objectName: "openAllButton"
                text: qsTr("Open everything")
                enabled: !desk.busy
                Accessible.name: qsTr("Open every testimony you can and make it searchable")
                onClicked: desk.openAll()
            }
            Button {
                objectName: "verifyButton"
                text: qsTr("Verify a package…")
                Accessible.name: qsTr("Verify an evidence package someone sent")
                onClicked: verifyDialog.open()
            }
            ProgressBar {
                objectName: "progress"
                visible: desk.busy
                Layout.fillWidth: true
                from: 0
                to: desk.total > 0 ? desk.total : 1
                value: desk.done
                indeterminate: desk.total === 0
                Accessible.name: qsTr("Progress")
            }
            Label {
                textFormat: Text.PlainText
                visible: desk.busy
                text: desk.total > 0 ? qsTr("%1 of %2").arg(desk.number(desk.done)).arg(desk.number(desk.total))
                                     : desk.number(desk.done)
            }
            Button {
                objectName: "cancelButton"
                visible: desk.busy
                text: qsTr("Cancel")
                onClicked: desk.cancel()
            }
            Label {
                textFormat: Text.PlainText
                objectName: "status"
                visible: !desk.busy
                Layout.fillWidth: true
                elide: Text.ElideRight
                text: desk.status
            }
        }
        Repeater {
            model: desk.warnings
            delegate: Label {
                textFormat: Text.PlainText
                required property string modelData
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: "#b3261e"
                text: "⚠ " + modelData
            }
        }

        // Filters: search as typed, state, tag, dates.
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: search
                objectName: "searchField"
                Layout.fillWidth: true
                placeholderText: qsTr("Search the testimonies opened so far (Ctrl+F)")
                Accessible.name: qsTr("Search the testimonies opened so far")
                onTextChanged: filterTimer.restart()
                Keys.onDownPressed: list.forceActiveFocus()
            }
            ComboBox {
                id: stateFilter
                objectName: "stateFilter"
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Show testimonies in this state")
                model: [
                    { value: "", text: qsTr("Any state") },
                    { value: "new", text: qsTr("new") },
                    { value: "opened", text: qsTr("opened") },
                    { value: "annotated", text: qsTr("annotated") },
                    { value: "replied", text: qsTr("replied") },
                    { value: "exported", text: qsTr("exported") },
                    { value: "tampered", text: qsTr("TAMPERED") },
                    { value: "withheld", text: qsTr("WITHHELD by the server") }
                ]
                onActivated: page.applyFilter()
            }
            ComboBox {
                id: tagFilter
                objectName: "tagFilter"
                Accessible.name: qsTr("Show testimonies with this tag")
                model: [qsTr("Any tag")].concat(desk.allTags)
                onActivated: page.applyFilter()
                // Tags are typed by people: listed as plain text, never as markup.
                delegate: ItemDelegate {
                    required property int index
                    required property string modelData
                    width: tagFilter.width
                    highlighted: tagFilter.highlightedIndex === index
                    contentItem: Label { textFormat: Text.PlainText; text: modelData; elide: Text.ElideRight }
                }
            }
            Label { textFormat: Text.PlainText; text: qsTr("Received from") }
            TextField {
                id: fromDate
                objectName: "fromDate"
                implicitWidth: 110
                LayoutMirroring.enabled: false
                placeholderText: "YYYY-MM-DD"
                Accessible.name: qsTr("Received from (YYYY-MM-DD)")
                onEditingFinished: page.applyFilter()
            }
            Label { textFormat: Text.PlainText; text: qsTr("to") }
            TextField {
                id: toDate
                objectName: "toDate"
                implicitWidth: 110
                LayoutMirroring.enabled: false
                placeholderText: "YYYY-MM-DD"
                Accessible.name: qsTr("Received until (YYYY-MM-DD)")
                onEditingFinished: page.applyFilter()
            }
        }
        Timer { id: filterTimer; interval: 150; onTriggered: page.applyFilter() }

        Label {

            textFormat: Text.PlainText
            objectName: "caseCount"
            text: qsTr("%1 of %2 testimonies").arg(desk.number(desk.cases.count)).arg(desk.number(desk.totalCases))
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                id: list
                objectName: "caseList"
                SplitView.preferredWidth: 520
                SplitView.minimumWidth: 320
                clip: true
                model: desk.cases
                keyNavigationEnabled: true
                activeFocusOnTab: true
                // Rows scrolled out are reused for those scrolled in, not made anew.
                reuseItems: true
                highlightMoveDuration: 0
                currentIndex: -1
                Accessible.name: qsTr("Testimonies")
                ScrollBar.vertical: ScrollBar { objectName: "caseScroll" }
                Keys.onReturnPressed: if (currentItem) desk.read(currentItem.envelope)
                Keys.onEnterPressed: if (currentItem) desk.read(currentItem.envelope)
                delegate: ItemDelegate {
                    id: row
                    required property int index
                    required property string envelopeId
                    required property string shortId
                    required property string state
                    required property string tags
                    required property string received
                    required property string size
                    required property string lang
                    required property bool opened
                    required property string waiting
                    required property int attachments
                    property string envelope: envelopeId
                    width: ListView.view.width
                    highlighted: ListView.isCurrentItem || desk.currentId === envelopeId
                    Accessible.name: qsTr("Testimony %1, %2, received %3").arg(shortId).arg(page.stateName(state)).arg(received)
                    onClicked: { list.currentIndex = index; desk.read(envelopeId) }
                    contentItem: ColumnLayout {
                        spacing: 2
                        RowLayout {
                            Label {
                                textFormat: Text.PlainText
                                text: row.shortId
                                font.family: "DejaVu Sans Mono"
                                LayoutMirroring.enabled: false
                            }
                            Label {
                                textFormat: Text.PlainText
                                text: page.stateName(row.state)
                                color: row.state === "tampered" || row.state === "withheld" ? "#b3261e" : "#1b5e20"
                                font.bold: row.state === "tampered" || row.state === "withheld"
                            }
                            Label { textFormat: Text.PlainText; text: row.received; Layout.fillWidth: true; elide: Text.ElideRight }
                            Label { textFormat: Text.PlainText; text: row.size }
                            Label { textFormat: Text.PlainText; text: row.lang === "fa" ? "فا" : row.lang === "en" ? "EN" : row.lang }
                        }
                        Label {
                            textFormat: Text.PlainText
                            visible: row.tags !== "" || row.waiting !== "" || row.attachments > 0
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            color: row.waiting !== "" ? "#8a4b00" : palette.text
                            text: [row.tags !== "" ? "🏷 " + row.tags : "",
                                   row.attachments > 0 ? qsTr("%1 attachment(s)").arg(desk.number(row.attachments)) : "",
                                   row.waiting].filter(function (s) { return s !== "" }).join(" · ")
                        }
                    }
                }
            }
            TestimonyPane {
                SplitView.fillWidth: true
            }
        }
    }

    VerifyDialog { id: verifyDialog }
}
