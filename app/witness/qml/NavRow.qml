import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Back and next at the foot of a step. The next button says what it does.
RowLayout {
    id: row
    property alias nextText: next.text
    property bool nextEnabled: true
    property bool showBack: true
    signal back()
    signal next()
    Layout.fillWidth: true
    Layout.topMargin: 12
    Button {
        objectName: "backButton"
        visible: row.showBack
        text: qsTr("Back")
        Accessible.name: text
        onClicked: row.back()
    }
    Item { Layout.fillWidth: true }
    Button {
        id: next
        objectName: "nextButton"
        text: qsTr("Next")
        // A last step has no next: an empty text hides the button.
        visible: text !== ""
        enabled: row.nextEnabled
        highlighted: true
        Accessible.name: text
        onClicked: row.next()
    }
}
