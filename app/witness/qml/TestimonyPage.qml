import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Step 2: the witness's own words, and when and where.
Page {
    id: page
    objectName: "testimonyPage"
    property var app
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 10
            Item { height: 8 }
            Heading { text: qsTr("2. Your testimony") }
            Para { text: qsTr("Write what you saw, heard or know, in your own words and in any language. Take your time; nothing leaves this device until you choose to send it.") }
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(220, page.height * 0.35)
                TextArea {
                    id: editor
                    objectName: "testimonyText"
                    wrapMode: TextEdit.Wrap
                    // No alignment set: each paragraph then follows its own first letters, Persian
                    // right to left, English left to right, a Latin name or number inside Persian
                    // text kept in its place by the bidirectional algorithm.
                    textFormat: TextEdit.PlainText
                    // No keyboard should learn or suggest the words of a testimony.
                    inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                    placeholderText: qsTr("Your testimony…")
                    text: page.app.testimonyText
                    onTextChanged: page.app.testimonyText = text
                    Accessible.name: qsTr("Your testimony")
                    // Tab moves to the next field instead of typing a tab.
                    KeyNavigation.priority: KeyNavigation.BeforeItem
                    KeyNavigation.tab: language
                    background: Rectangle { border.color: editor.activeFocus ? "#1a73e8" : "#999"; radius: 3 }
                }
            }
            Label { text: qsTr("Language of the text") }
            ComboBox {
                id: language
                objectName: "languageBox"
                Layout.fillWidth: true
                textRole: "label"
                valueRole: "tag"
                Accessible.name: qsTr("Language of the text")
                model: [
                    { label: qsTr("Persian"), tag: "fa" },
                    { label: qsTr("English"), tag: "en" },
                    { label: qsTr("Azerbaijani"), tag: "az" },
                    { label: qsTr("Kurdish"), tag: "ku" },
                    { label: qsTr("Arabic"), tag: "ar" },
                    { label: qsTr("Other or mixed"), tag: "" }
                ]
                Component.onCompleted: currentIndex = Math.max(0, indexOfValue(page.app.textLanguage))
                onActivated: page.app.textLanguage = currentValue
            }
            Label { text: qsTr("When did it happen? (as you would say it)") }
            TextField {
                objectName: "whenField"
                Layout.fillWidth: true
                placeholderText: qsTr("e.g. summer 1988, late July")
                text: page.app.when
                onTextChanged: page.app.when = text
                Accessible.name: qsTr("When it happened")
            }
            Label { text: qsTr("Where did it happen?") }
            TextField {
                objectName: "whereField"
                Layout.fillWidth: true
                placeholderText: qsTr("e.g. Evin prison, Tehran")
                text: page.app.where
                onTextChanged: page.app.where = text
                Accessible.name: qsTr("Where it happened")
            }
            NavRow {
                nextEnabled: page.app.testimonyText.trim().length > 0
                onBack: page.app.back()
                onNext: page.app.go("FilesPage")
            }
        }
    }
}
